// The firmware boots in host-sim on the virtual clock, runs 10,000 ticks without a trap, reports
// its memory once and never allocates afterwards.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Device, VirtualClock } from "../host-sim/src/index.js";

test("boots, ticks 10,000 times without a trap, heap does not grow", () => {
  const clock = new VirtualClock();
  const dev = new Device({ wasm: "build/firmware.wasm", clock, stopOnTrap: true, seed: 1 }).start();
  clock.advance(10);
  const boot = dev.events.last("boot");
  assert.ok(boot, "boot event");
  const mem0 = dev.events.since(0).filter((e) => e.type === "memory");
  assert.equal(mem0.length, 1, "one memory report after boot");
  while (dev.firmware.ticks < 10000 && dev.traps.length === 0) {
    dev.console.type("\n");
    clock.advance(50);
  }
  assert.deepEqual(dev.traps, []);
  assert.ok(dev.firmware.ticks >= 10000);
  assert.equal(dev.events.since(0).filter((e) => e.type === "memory").length, 1, "the heap never grew after boot");
  assert.ok(dev.watchdogFeeds >= 10000, "the watchdog is fed every tick");
  dev.stop();
});
