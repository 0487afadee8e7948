// The native port cannot drift from the HAL contract: every C source that needs no SDK compiles
// with -Wall -Wextra -Werror against the generated hal_contract.h, the POSIX port links with every
// contract function, and check-hal drives the POSIX HAL (kv, random, info, events, console, UDP,
// resolve, inert groups) with exact expectations. Needs a C compiler (cc, or $CC), not WAMR;
// without one the suite skips and says so.
import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { FileKv } from "../host-sim/src/index.js";

const CC = process.env["CC"] ?? "cc";
const hasCc = spawnSync(CC, ["--version"], { stdio: "ignore" }).status === 0;
const noCc = hasCc ? false : `no C compiler (${CC}) installed: the native C sources are not checked`;
const OUT = "build/native-test";
const COMMON = "hal/native/common";
const POSIX = "hal/native/posix";
const FLAGS = ["-std=c11", "-Wall", "-Wextra", "-Werror", `-I${COMMON}`, `-I${POSIX}`];
// The only files that include WAMR's wasm_export.h; they are compiled by the WAMR suite.
const NEEDS_WAMR = [`${COMMON}/embed.c`, `${COMMON}/hal_natives.c`];

const contract = JSON.parse(readFileSync("hal/contract.json", "utf8"));
const halFunctions: string[] = contract.groups.flatMap((g: any) => g.functions.map((f: any) => `hal_${g.name}_${f.name}`));

function cFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? cFiles(join(dir, e.name)) : e.name.endsWith(".c") ? [join(dir, e.name)] : []);
}

/** C sources of common/ and posix/ that need no SDK header. */
const sdkFree = [...cFiles(COMMON), ...cFiles(POSIX)].filter((f) => !NEEDS_WAMR.includes(f)).sort();
const portSources = ["hal_posix.c", "hal_posix_kv.c", "hal_posix_net.c"].map((f) => join(POSIX, f));

function cc(args: string[]): SpawnSyncReturns<string> {
  return spawnSync(CC, args, { encoding: "utf8" });
}

function checkHal(args: string[], input = ""): string[] {
  const r = spawnSync(join(OUT, "check-hal"), args, { encoding: "utf8", input, timeout: 20000 });
  assert.equal(r.status, 0, `check-hal ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.split("\n").filter((l) => l !== "");
}

test("only embed.c and hal_natives.c include WAMR's header; ESP-IDF code stays in esp32/", () => {
  for (const f of [...cFiles(COMMON), ...cFiles(POSIX)]) {
    const text = readFileSync(f, "utf8");
    assert.equal(/#include\s+"wasm_export\.h"/.test(text), NEEDS_WAMR.includes(f), `${f} and wasm_export.h`);
    assert.ok(!/#include\s+[<"](esp_|freertos\/|nvs)/.test(text), `${f} includes an ESP-IDF header`);
  }
  assert.ok(sdkFree.length >= 7, `SDK-free sources: ${sdkFree.join(", ")}`);
});

describe("native C sources", { skip: noCc }, () => {
  for (const file of sdkFree) {
    test(`${file} compiles with -Wall -Wextra -Werror`, () => {
      const r = cc(["-fsyntax-only", ...FLAGS, file]);
      assert.equal(r.status, 0, r.stderr);
    });
  }

  test("the POSIX port defines every contract function with the header's type", () => {
    mkdirSync(OUT, { recursive: true });
    // Taking each function's address makes the link fail on a missing one; the prototypes in
    // hal_contract.h (included by every port file) make a type change fail the compile.
    const refs = join(OUT, "contract_refs.c");
    writeFileSync(refs, `#include "hal_contract.h"\n#include <stdio.h>\nint main(void)\n{\n` +
      halFunctions.map((f) => `    printf("%d\\n", ${f} != 0);\n`).join("") + "    return 0;\n}\n");
    const exe = join(OUT, "contract-refs");
    const r = cc([...FLAGS, "-Wno-address", "-o", exe, refs, ...portSources]);
    assert.equal(r.status, 0, r.stderr);
    const out = spawnSync(exe, { encoding: "utf8" }).stdout.trim().split("\n");
    assert.deepEqual(out, halFunctions.map(() => "1"));
  });
});

describe("POSIX HAL (check-hal)", { skip: noCc }, () => {
  const state = join(OUT, "state");

  before(() => {
    mkdirSync(OUT, { recursive: true });
    rmSync(state, { recursive: true, force: true });
    const r = cc([...FLAGS, "-o", join(OUT, "check-hal"), join(POSIX, "check_hal.c"), ...portSources]);
    assert.equal(r.status, 0, r.stderr);
  });

  test("kv: write, read whole and truncated, missing key, erase, bad keys and sizes", () => {
    assert.deepEqual(checkHal(["kv", state, "write", "sip.user", "1001"]), ["write 0"]);
    assert.deepEqual(checkHal(["kv", state, "read", "sip.user", "100"]), ["read 4 1001"]);
    assert.deepEqual(checkHal(["kv", state, "read", "sip.user", "2"]), ["read 4 10"]);
    assert.deepEqual(checkHal(["kv", state, "write", "sip.user", "1002-longer"]), ["write 0"]);
    assert.deepEqual(checkHal(["kv", state, "read", "sip.user", "100"]), ["read 11 1002-longer"]);
    assert.deepEqual(checkHal(["kv", state, "read", "nokey", "10"]), ["read -2 "]);
    assert.deepEqual(checkHal(["kv", state, "erase", "sip.user"]), ["erase 0"]);
    assert.deepEqual(checkHal(["kv", state, "erase", "sip.user"]), ["erase 0"], "erasing a missing key is OK");
    assert.deepEqual(checkHal(["kv", state, "read", "sip.user", "10"]), ["read -2 "]);
    assert.deepEqual(checkHal(["kv", state, "write", "0123456789abcdef", "x"]), ["write -1"], "16-byte key");
    assert.deepEqual(checkHal(["kv", state, "write", "0123456789abcde", "x"]), ["write 0"], "15-byte key");
    assert.deepEqual(checkHal(["kv", state, "write", "", "x"]), ["write -1"], "empty key");
    assert.deepEqual(checkHal(["kv", state, "write", "big", "v".repeat(4001)]), ["write -4"]);
    assert.deepEqual(checkHal(["kv", state, "write", "big", "v".repeat(4000)]), ["write 0"]);
    assert.deepEqual(readdirSync(join(state, "kv")).filter((f) => f.endsWith(".tmp")), [], "no temp file left");
  });

  test("kv: files are named and laid out as host-sim's FileKv, both read each other's values", () => {
    assert.deepEqual(checkHal(["kv", state, "write", "a/b c%", "from C"]), ["write 0"]);
    assert.ok(existsSync(join(state, "kv", "a%2Fb%20c%25.bin")), readdirSync(join(state, "kv")).join(" "));
    const js = new FileKv(join(state, "kv"));
    assert.equal(new TextDecoder().decode(js.read("a/b c%")), "from C");
    js.write("cfg", new TextEncoder().encode("from host-sim"));
    assert.deepEqual(checkHal(["kv", state, "read", "cfg", "64"]), ["read 13 from host-sim"]);
  });

  test("random fills the whole buffer with fresh bytes", () => {
    assert.deepEqual(checkHal(["random", "32"]), ["fill 32 32 differ 1"]);
    assert.deepEqual(checkHal(["random", "0"]), ["fill 0 0 differ 0"]);
  });

  test("sys.info: board, host, a stable derived serial, truncation, unknown key", () => {
    assert.deepEqual(checkHal(["info", "board", "64"]), ["info 10 test-board"]);
    assert.deepEqual(checkHal(["info", "board", "4"]), ["info 10 test"], "full length, truncated copy");
    assert.deepEqual(checkHal(["info", "host", "64"]), ["info 9 test-host"]);
    const serial = checkHal(["info", "serial", "64"]);
    assert.match(serial[0]!, /^info 22 posix-[0-9a-f]{16}$/);
    assert.deepEqual(checkHal(["info", "serial", "64"]), serial, "the same on every start");
    const machineId = existsSync("/etc/machine-id") ? readFileSync("/etc/machine-id", "utf8").trim() : "";
    if (machineId) assert.ok(!serial[0]!.includes(machineId.slice(0, 16)), "machine-id itself is not exposed");
    assert.deepEqual(checkHal(["info", "mac", "64"]), ["info -2 "]);
  });

  test("events: JSON lines numbered and stamped like host-sim's, bad ones dropped", () => {
    const file = join(OUT, "events.jsonl");
    rmSync(file, { force: true });
    checkHal(["events", file, '{"type":"boot","version":"0.1.0"}', "{}", "not json", '{"type":"door","state":"open"}']);
    assert.deepEqual(readFileSync(file, "utf8").split("\n"), [
      '{"seq":1,"t":0,"type":"boot","version":"0.1.0"}',
      '{"seq":2,"t":250}',
      '{"seq":3,"t":750,"type":"door","state":"open"}',
      "",
    ]);
  });

  test("console: stdin bytes come out of console.read, console.write bytes reach stdout unchanged", () => {
    const text = "help\r\nversion\nshow sip.\n" + "x".repeat(3000) + "\n";
    const r = spawnSync(join(OUT, "check-hal"), ["console"], { input: text, encoding: "utf8", timeout: 20000 });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, text);
  });

  test("net: loopback UDP send/recv, truncation, empty datagram, errors", () => {
    const out = checkHal(["udp"]);
    const port = /^a port (\d+)$/.exec(out[1]!)?.[1];
    assert.ok(port, out.join("\n"));
    assert.deepEqual(out, [
      "open 1 1 ports ok",
      `a port ${port}`,
      "recv empty -3",
      "send 5",
      `recv 5 from 127.0.0.1:${port} data hello`,
      "send 10",
      `recv truncated 10 from 127.0.0.1:${port} data 0123`,
      "send empty 0",
      `recv empty datagram 0 from 127.0.0.1:${port} data `,
      "from too short -1",
      "send bad port -1",
      "open bad port -1",
      "open taken port -9",
      "local ip 127.0.0.1",
      "close 0",
      "close again -6",
      "send closed -6",
    ]);
  });

  test("net: resolve answers dotted quads and /etc/hosts names, then releases the query", () => {
    assert.deepEqual(checkHal(["resolve", "10.1.2.3"]), ["resolve 1 result 0 addr 10.1.2.3", "released -6"]);
    assert.deepEqual(checkHal(["resolve", "localhost"]), ["resolve 1 result 0 addr 127.0.0.1", "released -6"]);
  });

  test("inert groups answer their documented errors; the virtual clock moves only by wait", () => {
    assert.deepEqual(checkHal(["inert"]), [
      "audio start -10", "audio read -6", "audio write -6", "audio volume -10", "audio stop 0",
      "io find -2", "io read -6", "io write -6",
      "clock 0 1500",
      "reboot 1 0",
    ]);
  });
});
