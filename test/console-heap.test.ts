// 10,000 console commands (every kind, with saves and errors) do not grow the heap: the firmware
// emits a `memory` event only when its heap has grown since the last report (firmware/sys/mem.ts),
// so exactly one, the one after boot, proves that nothing allocated per command.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Device, MemoryKv, VirtualClock, runCommand } from "../host-sim/src/index.js";

const MIX = [
  "show", "get sip.password", "set sip.user 2000", "set sip.password x-secret", "set sip.display \"Haustür 2\"",
  "set sip.expires 5", "set answer.mode maybe", "set button1.call 1001,sip:1002@pbx.example;transport=udp",
  "set sip.domain 10.0.0.1:5060", "set sip.proxy sip:p.example;lr", "set door.code 1234#", "unset sip.user",
  "show sip.", "help", "help door", "status", "version", "log", "log debug", "log info", "revert", "get nope",
  "call 1001", "hangup", "open", "bogus command", "set rtp.port 40002", "save",
];

test("10,000 console commands do not grow the heap", { timeout: 300000 }, async () => {
  const clock = new VirtualClock();
  const kv = new MemoryKv();
  const dev = new Device({ wasm: "build/firmware.wasm", clock, kv, stopOnTrap: true, seed: 3 }).start();
  clock.advance(10);
  const memory = () => dev.events.since(0).filter((e) => e.type === "memory");
  assert.equal(memory().length, 1, "one memory report after boot");
  let oks = 0, errors = 0;
  for (let i = 0; i < 10000; i++) {
    const answer = await runCommand(dev.console, clock, MIX[i % MIX.length]!);
    if (answer.at(-1) === "ok") oks++; else errors++;
    clock.advance(3);
  }
  clock.advance(20000); // past the memory watch's next runs
  assert.deepEqual(dev.traps, []);
  assert.ok(oks > 6000 && errors > 1500, `ok ${oks}, errors ${errors}`);
  assert.ok(kv.writes > 300, "saves were among them");
  assert.equal(memory().length, 1, "the heap never grew");
  dev.stop();
});
