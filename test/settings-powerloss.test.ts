// The power-loss proof for the settings store (docs/console.md, "Store"): for every byte position
// k of a settings write, the power is cut after k bytes (MemoryKv.tearNextWriteAt: k bytes of the
// new value over the old one, then the device stops). A fresh device on the same kv must come up
// with exactly the old settings or exactly the new ones, never a mix and never the defaults; the
// complete write (k = blob length) gives the new ones. Three successive saves, so both slots are
// torn: an empty slot, a slot holding a longer older blob, one holding a shorter older blob.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Device, MemoryKv, VirtualClock, runCommand } from "../host-sim/src/index.js";

type State = string[]; // `set` commands

const S1: State = ["set sip.user 1001", "set sip.domain pbx.example", "set sip.display Door 1", "set button1.call 1001,1002",
  "set door.code 1234#", "set sip.expires 300"];
const S2: State = ["set sip.user 2002", "set sip.password secret-two", "set sip.domain 10.0.0.2:5062",
  "set sip.display \"Haustür links, Eingang B\"", "set button1.call sip:2002@pbx.example;transport=udp,2003,2004",
  "unset door.code", "set sip.expires 3600", "set answer.allow *"];
const S3: State = ["set sip.user 3", "unset sip.password", "unset sip.domain", "set sip.display D", "unset button1.call",
  "set answer.mode off", "unset answer.allow"];
const S4: State = ["set sip.user 4444444444", "set sip.password another-secret-4", "set sip.domain sip4.example.org:5080",
  "set sip.proxy sip:proxy.example.org:5060;lr;transport=udp", "set button1.call 1,2,3,4,5,6,7,8,9,10,11,12",
  "set door.code 0000#", "set answer.allow sip:a@b.example,sip:c@d.example", "set sip.display Einfahrt Süd"];

function device(kv: MemoryKv) {
  const clock = new VirtualClock();
  const dev = new Device({ wasm: "build/firmware.wasm", clock, kv, stopOnTrap: true, seed: 7 }).start();
  clock.advance(10);
  return { clock, dev, run: (line: string) => runCommand(dev.console, clock, line) };
}

function clone(kv: MemoryKv): MemoryKv {
  const c = new MemoryKv();
  for (const [k, v] of kv.data) c.data.set(k, v.slice());
  return c;
}

async function apply(d: ReturnType<typeof device>, state: State): Promise<void> {
  for (const line of state) assert.deepEqual(await d.run(line), ["ok"], line);
}

async function shown(kv: MemoryKv): Promise<string[]> {
  const d = device(kv);
  const lines = await d.run("show");
  d.dev.stop();
  assert.equal(lines.at(-1), "ok");
  return lines;
}

/** Saves `state` over `base`, tearing the write at every byte; returns the blob length. */
async function tearEveryByte(base: MemoryKv, state: State, slot: string): Promise<number> {
  const before = await shown(clone(base));
  // the complete write, to know its length and the new settings
  const full = clone(base);
  const d = device(full);
  await apply(d, state);
  assert.equal((await d.run("save"))[1], "ok");
  d.dev.stop();
  const len = full.data.get(slot)!.length;
  const after = await shown(clone(full));
  assert.notDeepEqual(after, before);

  for (let k = 0; k <= len; k++) {
    const kv = clone(base);
    const t = device(kv);
    await apply(t, state);
    kv.tearNextWriteAt = k;
    t.dev.console.type("save\r\n");
    t.clock.advance(100);
    assert.equal(t.dev.firmware.running, false, `k=${k}: the power went off during the write`);
    assert.equal(kv.writes, 1, `k=${k}: one kv write`);
    const got = await shown(kv);
    if (k === len) assert.deepEqual(got, after, `k=${k}: the complete write gives the new settings`);
    else assert.deepEqual(got, before, `k=${k}: a torn write leaves the old settings`);
  }
  return len;
}

test("power cut at every byte of a save: old settings or new, never a mix or the defaults", { timeout: 600000 }, async () => {
  const defaults = await shown(new MemoryKv());
  // state 1 saved normally into set.a
  const kv1 = new MemoryKv();
  const d = device(kv1);
  await apply(d, S1);
  assert.deepEqual(await d.run("save"), ["saved generation 1, 6 changed", "ok"]);
  d.dev.stop();
  assert.notDeepEqual(await shown(clone(kv1)), defaults);

  // save 2 goes to the empty slot set.b
  const len2 = await tearEveryByte(kv1, S2, "set.b");
  const kv2 = clone(kv1);
  { const x = device(kv2); await apply(x, S2); await x.run("save"); x.dev.stop(); }

  // save 3 goes to set.a, over the older and longer blob of state 1
  const len3 = await tearEveryByte(kv2, S3, "set.a");
  assert.ok(len3 < kv2.data.get("set.a")!.length, "the new blob is shorter than the one it overwrites");
  const kv3 = clone(kv2);
  { const x = device(kv3); await apply(x, S3); await x.run("save"); x.dev.stop(); }

  // save 4 goes to set.b, over the shorter blob of state 2
  const len4 = await tearEveryByte(kv3, S4, "set.b");
  assert.ok(len4 > kv3.data.get("set.b")!.length, "the new blob is longer than the one it overwrites");
  assert.ok(len2 > 300 && len4 > len2, `blob lengths ${len2}, ${len3}, ${len4}`);
  console.log(`# torn at every byte of blobs of ${len2}, ${len3} and ${len4} bytes`);
});

test("after a torn save the unit saves again normally", async () => {
  const kv = new MemoryKv();
  const a = device(kv);
  await apply(a, S1);
  await a.run("save");
  await apply(a, S2);
  kv.tearNextWriteAt = 100;
  a.dev.console.type("save\r\n");
  a.clock.advance(100);
  assert.equal(a.dev.firmware.running, false);
  const b = device(kv);
  assert.deepEqual(await b.run("get sip.user"), ["1001", "ok"]);
  assert.ok(b.dev.logLines.some((l) => l.text === "settings: slot set.b damaged, ignored"));
  await apply(b, S2);
  assert.deepEqual(await b.run("save"), ["saved generation 2, 8 changed", "ok"]);
  b.dev.stop();
  assert.deepEqual(await device(kv).run("get sip.user"), ["2002", "ok"]);
});
