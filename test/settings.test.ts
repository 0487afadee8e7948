// Settings over the console on host-sim's Device: pending until save, saved across a restart (a
// new Device on the same kv), revert, unset, factory-reset, the store's slots and blob format
// (docs/console.md), damaged stores, and secrets that never leave the unit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Device, MemoryKv, VirtualClock, runCommand, type KvStore } from "../host-sim/src/index.js";

function boot(kv: KvStore = new MemoryKv()) {
  const clock = new VirtualClock();
  const dev = new Device({ wasm: "build/firmware.wasm", clock, kv, stopOnTrap: true, seed: 1 });
  const out: Uint8Array[] = [];
  dev.console.onOutput = (b) => out.push(b);
  dev.start();
  clock.advance(10);
  return {
    clock, dev,
    run: (line: string) => runCommand(dev.console, clock, line),
    output: () => Buffer.concat(out).toString("utf8"),
  };
}

// ---- the blob format, written independently of the firmware (docs/console.md)
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (const b of data) c = (CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8)) >>> 0;
  return ~c >>> 0;
}

function encodeBlob(gen: number, records: [string, string][]): Uint8Array {
  const payload = Buffer.from(records.map(([k, v]) => `${k}=${v}\n`).join(""), "utf8");
  const blob = Buffer.alloc(20 + payload.length);
  blob.write("ISET", 0, "latin1");
  blob.writeUInt16LE(1, 4);
  blob.writeUInt16LE(0, 6);
  blob.writeUInt32LE(gen, 8);
  blob.writeUInt32LE(payload.length, 12);
  payload.copy(blob, 20);
  blob.writeUInt32LE(crc32(payload, crc32(blob.subarray(0, 16))), 16);
  return new Uint8Array(blob);
}

function decodeBlob(blob: Uint8Array | undefined): { gen: number; values: Map<string, string> } | null {
  if (!blob || blob.length < 20) return null;
  const b = Buffer.from(blob);
  if (b.toString("latin1", 0, 4) !== "ISET" || b.readUInt16LE(4) !== 1) return null;
  const len = b.readUInt32LE(12);
  if (20 + len !== b.length) return null;
  if (crc32(b.subarray(20), crc32(b.subarray(0, 16))) !== b.readUInt32LE(16)) return null;
  const values = new Map<string, string>();
  for (const rec of b.toString("utf8", 20).split("\n")) {
    const eq = rec.indexOf("=");
    if (eq > 0) values.set(rec.slice(0, eq), rec.slice(eq + 1));
  }
  return { gen: b.readUInt32LE(8), values };
}

test("set is pending until save; save makes it active and survives a restart, password masked", async () => {
  const kv = new MemoryKv();
  const a = boot(kv);
  assert.deepEqual(await a.run("set sip.user 2000"), ["ok"]);
  assert.deepEqual(await a.run("set sip.password pa55word"), ["ok"]);
  assert.deepEqual(await a.run("set sip.domain pbx.example:5062"), ["ok"]);
  assert.deepEqual(await a.run("set sip.display Haustür"), ["ok"]);
  assert.deepEqual(await a.run("set log.level debug"), ["ok"]);
  assert.deepEqual(await a.run("log"), ["info", "ok"], "a pending log.level does not apply yet");
  assert.equal(kv.data.size, 0, "nothing written before save");
  assert.deepEqual(await a.run("save"), ["saved generation 1, 5 changed", "ok"]);
  assert.deepEqual(await a.run("log"), ["debug", "ok"], "save applies log.level");
  const ev = a.dev.events.last("settings");
  assert.equal(ev?.["saved"], 5);
  assert.deepEqual([...kv.data.keys()], ["set.a"]);
  assert.equal(decodeBlob(kv.data.get("set.a"))?.gen, 1);
  a.dev.stop();

  const b = boot(kv);
  assert.deepEqual(await b.run("show sip."), [
    "sip.user = 2000",
    "sip.password = ********",
    "sip.auth_user = \"\"",
    "sip.domain = pbx.example:5062",
    "sip.proxy = \"\"",
    "sip.port = 5060",
    "sip.expires = 600",
    "sip.display = Haustür",
    "sip.keepalive = crlf",
    "sip.keepalive_s = 30",
    "ok",
  ]);
  assert.deepEqual(await b.run("get sip.password"), ["********", "ok"]);
  assert.deepEqual(await b.run("log"), ["debug", "ok"], "log.level applied at boot");
  assert.deepEqual(await b.run("status").then((l) => l[4]), "settings: generation 1");
  // the next save goes to the other slot with the next generation
  assert.deepEqual(await b.run("set sip.port 5070"), ["ok"]);
  assert.deepEqual(await b.run("save"), ["saved generation 2, 1 changed", "ok"]);
  assert.equal(decodeBlob(kv.data.get("set.b"))?.gen, 2);
  assert.equal(decodeBlob(kv.data.get("set.a"))?.gen, 1, "the older slot is left alone");
  assert.deepEqual(await b.run("set sip.port 5080"), ["ok"]);
  assert.deepEqual(await b.run("save"), ["saved generation 3, 1 changed", "ok"]);
  assert.equal(decodeBlob(kv.data.get("set.a"))?.gen, 3);
  assert.equal(decodeBlob(kv.data.get("set.a"))?.values.get("sip.port"), "5080");
  assert.deepEqual(b.dev.traps, []);
});

test("the blob holds every key as key=value, in schema order", async () => {
  const kv = new MemoryKv();
  const a = boot(kv);
  await a.run("set sip.user 2000");
  await a.run("save");
  const blob = decodeBlob(kv.data.get("set.a"));
  assert.ok(blob);
  assert.deepEqual([...blob.values.keys()], ["sip.user", "sip.password", "sip.auth_user", "sip.domain", "sip.proxy",
    "sip.port", "sip.expires", "sip.display", "sip.keepalive", "sip.keepalive_s", "button1.call", "call.ring_timeout",
    "call.max_duration", "call.codecs", "answer.mode", "answer.allow", "door.code", "door.relay_ms", "door.code_timeout",
    "audio.volume", "rtp.port", "log.level"]);
  assert.equal(blob.values.get("sip.user"), "2000");
  assert.equal(blob.values.get("sip.display"), "Door");
});

test("revert drops pending changes; unset goes back to the default", async () => {
  const kv = new MemoryKv();
  const a = boot(kv);
  await a.run("set sip.expires 300");
  await a.run("set door.relay_ms 5000");
  await a.run("save");
  assert.deepEqual(await a.run("set sip.expires 900"), ["ok"]);
  assert.deepEqual(await a.run("set sip.user 1"), ["ok"]);
  assert.deepEqual(await a.run("revert"), ["reverted 2 changes", "ok"]);
  assert.deepEqual(await a.run("get sip.expires"), ["300", "ok"]);
  assert.deepEqual(await a.run("get sip.user"), ["\"\"", "ok"]);
  assert.deepEqual(await a.run("unset door.relay_ms"), ["ok"]);
  assert.deepEqual(await a.run("get door.relay_ms"), ["3000 (pending, saved: 5000)", "ok"]);
  assert.deepEqual(await a.run("save"), ["saved generation 2, 1 changed", "ok"]);
  a.dev.stop();
  const b = boot(kv);
  assert.deepEqual(await b.run("get door.relay_ms"), ["3000", "ok"]);
  assert.deepEqual(await b.run("get sip.expires"), ["300", "ok"]);
});

test("factory-reset erases both slots, runs the defaults and reboots", async () => {
  const kv = new MemoryKv();
  const a = boot(kv);
  await a.run("set sip.user 2000");
  await a.run("save");
  await a.run("set sip.port 5070");
  await a.run("save");
  assert.equal(kv.data.size, 2);
  assert.deepEqual(await a.run("factory-reset"), ["settings erased, rebooting", "ok"]);
  assert.equal(kv.data.size, 0);
  assert.equal(a.dev.events.last("settings")?.["saved"], 2);
  a.clock.advance(500);
  assert.equal(a.dev.firmware.boots, 2, "rebooted");
  assert.deepEqual(await a.run("get sip.user"), ["\"\"", "ok"]);
  assert.deepEqual(await a.run("get sip.port"), ["5060", "ok"]);
  assert.deepEqual(await a.run("factory-reset now"), ["error: usage: factory-reset"]);
  assert.ok(a.dev.logLines.some((l) => l.text === "settings: none saved, running on defaults"));
  assert.deepEqual(a.dev.traps, []);
});

test("a failed kv write: save says so and nothing changes", async () => {
  const kv = new MemoryKv();
  const a = boot(kv);
  await a.run("set sip.user 2000");
  const write = kv.write.bind(kv);
  kv.write = () => { throw new Error("flash worn out"); };
  assert.deepEqual(await a.run("save"), ["error: save failed (kv error -5)"]);
  assert.deepEqual(await a.run("get sip.user"), ["2000 (pending, saved: \"\")", "ok"], "still pending");
  kv.write = write;
  assert.deepEqual(await a.run("save"), ["saved generation 1, 1 changed", "ok"]);
});

test("a write that reads back different is not used", async () => {
  const kv = new MemoryKv();
  const a = boot(kv);
  await a.run("set sip.user 2000");
  const write = kv.write.bind(kv);
  kv.write = (key, data) => { const d = data.slice(); d[d.length - 2] ^= 1; write(key, d); };
  assert.deepEqual(await a.run("save"), ["error: save failed (kv error -5)"]);
  kv.write = write;
  assert.deepEqual(await a.run("get sip.user"), ["2000 (pending, saved: \"\")", "ok"]);
});

test("boot picks the valid slot with the highest generation; a damaged one is ignored", async () => {
  const kv = new MemoryKv();
  kv.data.set("set.a", encodeBlob(7, [["sip.user", "old"]]));
  kv.data.set("set.b", encodeBlob(8, [["sip.user", "new"]]));
  assert.deepEqual(await boot(kv).run("get sip.user"), ["new", "ok"]);
  kv.data.set("set.a", encodeBlob(9, [["sip.user", "newest"]]));
  assert.deepEqual(await boot(kv).run("get sip.user"), ["newest", "ok"]);
  // damage the newest: one flipped payload bit, then a flipped generation bit (CRC covers it)
  const bad = encodeBlob(9, [["sip.user", "newest"]]);
  bad[25] ^= 4;
  kv.data.set("set.a", bad);
  const s = boot(kv);
  assert.deepEqual(await s.run("get sip.user"), ["new", "ok"]);
  assert.ok(s.dev.logLines.some((l) => l.level === 1 && l.text === "settings: slot set.a damaged, ignored"));
  assert.equal(s.dev.events.since(0).filter((e) => e.type === "error").length, 0, "one good slot is not an error");
  const gen = encodeBlob(9, [["sip.user", "new"]]);
  gen[8] ^= 0x10;
  kv.data.set("set.a", gen);
  assert.deepEqual(await boot(kv).run("get sip.user"), ["new", "ok"]);
  // truncated, wrong magic, wrong version
  kv.data.set("set.a", encodeBlob(10, [["sip.user", "x"]]).subarray(0, 30));
  assert.deepEqual(await boot(kv).run("get sip.user"), ["new", "ok"]);
  const v2 = encodeBlob(10, [["sip.user", "x"]]);
  v2[4] = 2;
  kv.data.set("set.a", v2);
  assert.deepEqual(await boot(kv).run("get sip.user"), ["new", "ok"]);
});

test("both slots damaged: defaults, a warning and an error event", async () => {
  const kv = new MemoryKv();
  kv.data.set("set.a", new Uint8Array([1, 2, 3]));
  kv.data.set("set.b", encodeBlob(3, [["sip.user", "x"]]).subarray(0, 25));
  const s = boot(kv);
  assert.deepEqual(await s.run("get sip.user"), ["\"\"", "ok"]);
  assert.ok(s.dev.logLines.some((l) => l.level === 1 && l.text === "settings: store damaged, running on defaults"));
  const err = s.dev.events.last("error");
  assert.equal(err?.["what"], "settings");
  assert.equal(err?.["reason"], "store damaged, running on defaults");
  // the next save starts over cleanly
  await s.run("set sip.user 2000");
  assert.deepEqual(await s.run("save"), ["saved generation 1, 1 changed", "ok"]);
  assert.deepEqual(await boot(kv).run("get sip.user"), ["2000", "ok"]);
});

test("another firmware's blob: unknown keys ignored, missing keys default, invalid values default", async () => {
  const kv = new MemoryKv();
  kv.data.set("set.b", encodeBlob(4, [
    ["sip.user", "2000"],
    ["video.codec", "h264"],      // a key this firmware does not know
    ["sip.expires", "30"],        // no longer valid here
    ["answer.mode", "off"],
    ["sip.display", "Tür 1"],
  ]));
  const s = boot(kv);
  assert.deepEqual(await s.run("show sip.user"), ["sip.user = 2000", "ok"]);
  assert.deepEqual(await s.run("get sip.expires"), ["600", "ok"]);
  assert.deepEqual(await s.run("get answer.mode"), ["off", "ok"]);
  assert.deepEqual(await s.run("get sip.display"), ["Tür 1", "ok"]);
  assert.deepEqual(await s.run("get sip.port"), ["5060", "ok"]);
  assert.ok(s.dev.logLines.some((l) => l.text === "settings: stored value ignored: sip.expires must be 60..86400"));
  // the next save writes the other slot (set.a) with generation 5
  assert.deepEqual(await s.run("save"), ["saved generation 5, 0 changed", "ok"]);
  assert.equal(decodeBlob(kv.data.get("set.a"))?.gen, 5);
  assert.equal(decodeBlob(kv.data.get("set.a"))?.values.has("video.codec"), false);
});

test("secrets never reach the console, the log or the event stream", async () => {
  const kv = new MemoryKv();
  const password = "S3cr3t-Pa55";
  const code = "4711#";
  const a = boot(kv);
  await a.run("log trace");
  assert.deepEqual(await a.run(`set sip.password ${password}`), ["ok"]);
  assert.deepEqual(await a.run(`set door.code ${code}`), ["ok"]);
  assert.deepEqual(await a.run("set sip.password \"x y\""), ["ok"]);
  assert.deepEqual(await a.run(`set sip.password "${password}"`), ["ok"]);
  assert.deepEqual(await a.run("set door.code 12E"), ["error: door.code must be 1..16 of 0-9 * # A-D"]);
  for (const line of ["show", "get sip.password", "get door.code", "save", "show", "status", "help sip.password", "version"]) {
    const answer = await a.run(line);
    assert.ok(answer.at(-1) === "ok", `${line}: ${answer.join("|")}`);
  }
  a.dev.stop();
  const b = boot(kv);
  await b.run("log trace");
  for (const line of ["show", "get sip.password", "get door.code"]) await b.run(line);
  // the secrets were stored (so the test could find them if they leaked)...
  const blob = decodeBlob(kv.data.get("set.a"));
  assert.equal(blob?.values.get("sip.password"), password);
  assert.equal(blob?.values.get("door.code"), code);
  // ...and appear nowhere outside
  for (const dev of [a, b]) {
    const out = dev.output();
    const logs = dev.dev.logLines.map((l) => l.text).join("\n");
    const events = JSON.stringify(dev.dev.events.since(0));
    for (const secret of [password, code, "x y", "4711", "3cr3t"]) {
      assert.ok(!out.includes(secret), `console output has ${secret}`);
      assert.ok(!logs.includes(secret), `log has ${secret}`);
      assert.ok(!events.includes(secret), `events have ${secret}`);
    }
  }
  // the echo of the typed value is masked character by character
  assert.ok(a.output().includes(`> set sip.password ${"*".repeat(password.length)}\r\n`));
  assert.ok(a.output().includes(`> set door.code *****\r\n`));
});

test("echo masking follows editing: backspace into the key ends it", () => {
  const s = boot();
  s.dev.console.type("set sip.password ab\x7f\x7f\x7f\x7fuser x\r");
  s.clock.advance(50);
  // "set sip.password " then "ab" masked; four DELs take "b", "a", " " and "d"; "user x" in clear:
  // the line is now "set sip.passworuser x", an unknown key
  assert.ok(s.output().includes("> set sip.password **\b \b\b \b\b \b\b \buser x\r\nerror: unknown key sip.passworuser\r\n"));
});
