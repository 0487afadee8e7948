// build/firmware.wasm on the real runtime: intercom-posix built against a WAMR the user installed
// runs init and 10,000 ticks without a trap and reports what host-sim reports; unlinked imports
// are named, traps and reboots restart the firmware; intercom-bench gives the same checksums as V8.
// Runs only when INTERCOM_WAMR_DIR names a WAMR install prefix (include/wasm_export.h and
// lib/libiwasm.*), e.g. INTERCOM_WAMR_DIR=/usr/local npm test -- --only native-wamr; the project
// never builds WAMR itself (docs/native.md).
import { test, describe, before } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { Device, HAL_IMPORT_TYPES, VirtualClock } from "../host-sim/src/index.js";
import { readWasm } from "./lib/wasm.js";

const WAMR = process.env["INTERCOM_WAMR_DIR"] ?? "";
const skip = WAMR ? false : "set INTERCOM_WAMR_DIR to a WAMR install prefix to run firmware.wasm under WAMR";
const OUT = join(process.cwd(), "build/native-test/wamr");
const BENCH_WASM = resolve(process.env["INTERCOM_BENCH_WASM"] ?? "build/bench.wasm");

function run(exe: string, args: string[], input = ""): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(join(OUT, exe), args, { encoding: "utf8", input, timeout: 60000, cwd: OUT });
}

/** The closing summary of intercom-posix as numbers. */
function summary(stderr: string): Record<string, number> {
  const line = stderr.split("\n").find((l) => l.startsWith("intercom-posix: wamr")) ?? "";
  const out: Record<string, number> = {};
  for (const m of line.matchAll(/(ticks|boots|traps|reboots|panics|memory|watchdog feeds|events|firmware time) (\d+)/g)) {
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

// ---- hand-built test modules (binary format: WebAssembly Core Specification, section 5)
const I32 = 0x7f, I64 = 0x7e, F64 = 0x7c;
const VALTYPE: Record<string, number> = { i32: I32, i64: I64, f64: F64 };
const leb = (n: number): number[] => { const o: number[] = []; do { let b = n & 0x7f; n >>>= 7; if (n) b |= 0x80; o.push(b); } while (n); return o; };
const vec = (items: number[][]): number[] => [...leb(items.length), ...items.flat()];
const name = (s: string): number[] => vec([...new TextEncoder().encode(s)].map((b) => [b]));
const section = (id: number, body: number[]): number[] => [id, ...leb(body.length), ...body];
const functype = (params: number[], results: number[]): number[] => [0x60, ...vec(params.map((p) => [p])), ...vec(results.map((r) => [r]))];

interface ModuleSpec {
  types: number[][];
  imports?: [string, string, number][];
  funcs?: number[];
  exports?: [string, number][];
  bodies?: number[][];
}

function buildModule(m: ModuleSpec): Uint8Array {
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0,
    ...section(1, vec(m.types)),
    ...section(2, vec((m.imports ?? []).map(([mod, field, t]) => [...name(mod), ...name(field), 0x00, ...leb(t)]))),
    ...section(3, vec((m.funcs ?? []).map((t) => leb(t)))),
    ...section(7, vec((m.exports ?? []).map(([n, i]) => [...name(n), 0x00, ...leb(i)]))),
    ...section(10, vec((m.bodies ?? []).map((b) => { const body = [0x00, ...b, 0x0b]; return [...leb(body.length), ...body]; }))),
  ]);
}

function writeModule(file: string, m: ModuleSpec): string {
  writeFileSync(join(OUT, file), buildModule(m));
  return file;
}

describe("firmware.wasm under WAMR (intercom-posix)", { skip }, () => {
  before(() => {
    rmSync(OUT, { recursive: true, force: true });
    mkdirSync(OUT, { recursive: true });
    const r = spawnSync("make", ["-C", "hal/native/posix", `WAMR_DIR=${WAMR}`, `OUT=${OUT}`, "CFLAGS=-O2 -Werror"], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });

  test("every import links; init and 10,000 ticks run without a trap; memory as in host-sim", () => {
    const r = run("intercom-posix", ["--virtual", "--ticks", "10000", "--stop-on-trap", "--state-dir", "state",
      join(process.cwd(), "build/firmware.wasm")]);
    assert.equal(r.status, 0, r.stderr);
    const s = summary(r.stderr);
    assert.equal(s["ticks"], 10000, r.stderr);
    assert.equal(s["boots"], 1);
    assert.equal(s["traps"], 0);
    assert.equal(s["panics"], 0);
    assert.equal(s["watchdog feeds"], 10000);
    const events = r.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    const boot = events.find((e) => e.type === "boot");
    const mem = events.filter((e) => e.type === "memory");
    assert.equal(mem.length, 1, "one memory report: nothing allocates after boot");

    // The same bytes on V8 report the same version and the same memory layout.
    const clock = new VirtualClock();
    const dev = new Device({ wasm: "build/firmware.wasm", clock, stopOnTrap: true, seed: 1 }).start();
    clock.advance(10);
    const simBoot = dev.events.last("boot")!;
    const simMem = dev.events.last("memory")!;
    dev.stop();
    assert.equal(boot.version, simBoot["version"]);
    for (const k of ["pages", "data", "heap", "top"]) assert.equal(mem[0][k], simMem[k], `memory.${k}`);
    assert.equal(s["memory"], simMem["pages"]);
  });

  test("every contract function links in WAMR through its generated signature string", () => {
    // firmware.wasm imports only what it uses today; this module imports all of the contract.
    const names = Object.keys(HAL_IMPORT_TYPES);
    const types = [functype([], []), functype([I64], [I32]),
      ...names.map((n) => functype(HAL_IMPORT_TYPES[n]!.params.map((t) => VALTYPE[t]!), HAL_IMPORT_TYPES[n]!.results.map((t) => VALTYPE[t]!)))];
    const file = writeModule("contract.wasm", {
      types,
      imports: names.map((n, i) => ["hal", n, i + 2] as [string, string, number]),
      funcs: [0, 1], exports: [["init", names.length], ["tick", names.length + 1]], bodies: [[], [0x41, 0x05]],
    });
    const r = run("intercom-posix", ["--virtual", "--ticks", "1", "--stop-on-trap", file]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(names.length, JSON.parse(readFileSync("hal/contract.json", "utf8")).groups.flatMap((g: any) => g.functions).length);
  });

  test("unlinked imports are refused and named with the reason", () => {
    const file = writeModule("unlinked.wasm", {
      types: [functype([], []), functype([], [I32])],
      imports: [["hal", "bogus", 0], ["hal", "clock_now_ms", 1], ["env", "abort", 0]],
    });
    const r = run("intercom-posix", ["--virtual", "--ticks", "1", file]);
    assert.equal(r.status, 2);
    // env.abort: WAMR's libc-builtin has one of another type (shared TOOLCHAIN.md), absent without it.
    assert.match(r.stderr, /3 of 3 imports unlinked: hal\.bogus \(no such native\), hal\.clock_now_ms \(type differs\), env\.abort \((type differs|no such native)\)\n/);
    assert.equal(r.stdout, "", "WAMR's own warnings stay off stdout");
  });

  test("a module without tick(i64): i32 is refused before it runs", () => {
    const file = writeModule("notick.wasm", {
      types: [functype([], []), functype([I32], [I32])],
      funcs: [0, 1], exports: [["init", 0], ["tick", 1]], bodies: [[], [0x41, 0x05]],
    });
    const r = run("intercom-posix", ["--virtual", "--ticks", "1", file]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /the module has no export tick\(i64\): i32/);
  });

  test("a trap is reported with WAMR's exception; --stop-on-trap ends the run with status 1", () => {
    const file = writeModule("trap.wasm", {
      types: [functype([], []), functype([I64], [I32])],
      funcs: [0, 1], exports: [["init", 0], ["tick", 1]], bodies: [[], [0x00]],
    });
    const r = run("intercom-posix", ["--virtual", "--ticks", "5", "--stop-on-trap", file]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /firmware trapped after 0 ticks: tick trapped: Exception: unreachable/);
    assert.equal(summary(r.stderr)["traps"], 1);
  });

  test("hal.sys_reboot restarts the instance after the tick, 100 ms later", () => {
    const file = writeModule("reboot.wasm", {
      types: [functype([], []), functype([I64], [I32])],
      imports: [["hal", "sys_reboot", 0]],
      funcs: [0, 1], exports: [["init", 1], ["tick", 2]], bodies: [[], [0x10, 0x00, 0x41, 0x05]],
    });
    const r = run("intercom-posix", ["--virtual", "--ticks", "3", file]);
    assert.equal(r.status, 0, r.stderr);
    const s = summary(r.stderr);
    assert.deepEqual([s["ticks"], s["boots"], s["reboots"], s["traps"], s["firmware time"]], [3, 3, 3, 0, 300]);
  });
});

// ---- bench: the same kernels, the same inputs, the same checksums as V8

/** What intercom-bench feeds bench_g711 (see bench.c): an LCG for encode, codes 0..159 for decode. */
function g711Input(op: number, n: number): Uint8Array {
  const b = new Uint8Array(2 * n);
  let x = 1;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    if (op === 0) { b[2 * i] = (x >>> 16) & 255; b[2 * i + 1] = x >>> 24; } else b[i] = i;
  }
  return op === 0 ? b : b.subarray(0, n);
}

const SIP = "OPTIONS sip:door@192.168.1.50 SIP/2.0\r\nVia: SIP/2.0/UDP 192.168.1.10:5060;branch=z9hG4bK-1\r\n" +
  "Max-Forwards: 70\r\nTo: <sip:door@192.168.1.50>\r\nFrom: <sip:1002@pbx.example.com>;tag=1\r\n" +
  "Call-ID: abc@192.168.1.10\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";

/** Checksums of one repetition of every exported kernel, computed by V8 on the same file. */
function v8Checksums(wasm: Uint8Array): Record<string, number> {
  const mod = new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>);
  const hal: Record<string, () => number> = {};
  for (const i of WebAssembly.Module.imports(mod)) hal[i.name] = () => 0;
  const x = new WebAssembly.Instance(mod, { hal }).exports as Record<string, any>;
  const buf = x["bench_buffer"](65536) >>> 0;
  const mem = (): Uint8Array => new Uint8Array((x["memory"] as WebAssembly.Memory).buffer);
  const out: Record<string, number> = {};
  if (x["bench_g711"]) {
    for (const [law, lawName] of [[0, "ulaw"], [1, "alaw"]] as const) {
      for (const [op, opName] of [[0, "encode"], [1, "decode"]] as const) {
        mem().set(g711Input(op, 160), buf);
        out[`g711 ${lawName} ${opName}`] = x["bench_g711"](law, op, buf, buf + 4096, 160, 1) | 0;
      }
    }
  }
  if (x["bench_sip_parse"]) {
    const bytes = new TextEncoder().encode(SIP);
    mem().set(bytes, buf);
    out["sip parse"] = x["bench_sip_parse"](buf, bytes.length, 1) | 0;
  }
  if (x["bench_media"]) out["media path"] = x["bench_media"](50) | 0;
  return out;
}

describe("bench.wasm under WAMR (intercom-bench)", { skip }, () => {
  test("every exported kernel is measured with V8's checksum; the others are named as skipped", () => {
    if (!existsSync(join(OUT, "intercom-bench"))) {
      mkdirSync(OUT, { recursive: true });
      const m = spawnSync("make", ["-C", "hal/native/posix", `WAMR_DIR=${WAMR}`, `OUT=${OUT}`], { encoding: "utf8" });
      assert.equal(m.status, 0, m.stdout + m.stderr);
    }
    writeFileSync(join(OUT, "options.sip"), SIP);
    const wasm = readFileSync(BENCH_WASM);
    const r = run("intercom-bench", ["--json", "--min-ms", "2", "--sip", "options.sip", BENCH_WASM]);
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
    const want = v8Checksums(wasm);
    assert.deepEqual(Object.fromEntries(rows.map((row) => [row.kernel, row.checksum])), want);
    for (const row of rows) assert.ok(row.per_s > 0 && row.engine.startsWith("wamr "), JSON.stringify(row));
    const exported = new Set(readWasm(wasm).exports.map((e) => e.name));
    const missing = ["bench_g711", "bench_sip_parse", "bench_media"].filter((k) => !exported.has(k));
    if (missing.length) assert.match(r.stderr, new RegExp(`not exported, skipped: ${missing.join(" ")}\\n`));
    else assert.doesNotMatch(r.stderr, /skipped/);
  });
});
