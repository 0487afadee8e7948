// BoardIo through the HalHost a Device builds: find/read/write semantics and errors, press timing
// on the virtual clock, observers, reset at reboot.
import { test } from "node:test";
import assert from "node:assert/strict";
import { BoardIo, Device, HalError, PRESS_MS, VirtualClock, loadBoard } from "../../host-sim/src/index.js";

const enc = new TextEncoder();

function setup() {
  const clock = new VirtualClock();
  const io = new BoardIo({
    clock,
    inputs: [{ name: "button1", kind: "button" }, { name: "exit", kind: "button" }, { name: "door", kind: "contact" }],
    outputs: [{ name: "relay1", kind: "relay" }, { name: "led_status", kind: "dimmable_led", default: 40 }, { name: "led_call", kind: "led" }],
  });
  const dev = new Device({ wasm: "build/firmware.wasm", clock, io });
  return { clock, io, hal: dev.halHost };
}

test("io_find returns handles for board names; unknown is E_NOTFOUND; empty or long is E_INVAL", () => {
  const { hal } = setup();
  const names = ["button1", "exit", "door", "relay1", "led_status", "led_call"];
  const handles = names.map((n) => hal.io_find(enc.encode(n)));
  assert.deepEqual(handles, [0, 1, 2, 3, 4, 5]);
  assert.equal(hal.io_find(enc.encode("relay2")), HalError.E_NOTFOUND);
  assert.equal(hal.io_find(enc.encode("")), HalError.E_INVAL);
  assert.equal(hal.io_find(enc.encode("x".repeat(33))), HalError.E_INVAL);
});

test("io_write drives outputs (relays and LEDs 0/1, dimmable 0..255); inputs are E_INVAL; io_read returns the last value", () => {
  const { io, hal } = setup();
  const seen: [string, number][] = [];
  io.onOutput = (n, v) => seen.push([n, v]);
  const relay = hal.io_find(enc.encode("relay1")), dim = hal.io_find(enc.encode("led_status")), btn = hal.io_find(enc.encode("button1"));
  assert.equal(hal.io_read(dim), 40, "power-on default");
  assert.equal(hal.io_write(relay, 200), HalError.OK);
  assert.equal(hal.io_read(relay), 1, "a relay reads 0/1");
  assert.equal(hal.io_write(relay, 1), HalError.OK, "same value: no observer call");
  assert.equal(hal.io_write(dim, 128), HalError.OK);
  assert.equal(hal.io_read(dim), 128);
  assert.equal(hal.io_write(dim, 256), HalError.E_INVAL);
  assert.equal(hal.io_write(dim, -1), HalError.E_INVAL);
  assert.equal(hal.io_write(btn, 1), HalError.E_INVAL, "an input cannot be written");
  assert.equal(hal.io_write(99, 1), HalError.E_BADF);
  assert.equal(hal.io_read(99), HalError.E_BADF);
  assert.equal(hal.io_read(-1), HalError.E_BADF);
  hal.io_write(relay, 0);
  assert.deepEqual(seen, [["relay1", 1], ["led_status", 128], ["relay1", 0]]);
  assert.deepEqual(io.state(), { inputs: { button1: 0, exit: 0, door: 0 }, outputs: { relay1: 0, led_status: 128, led_call: 0 } });
});

test("press holds a button for 100 ms of clock time, then releases; onChange wakes the firmware", () => {
  const { clock, io, hal } = setup();
  let wakes = 0;
  io.onChange = () => wakes++;
  const btn = hal.io_find(enc.encode("button1"));
  clock.advance(1000);
  io.press("button1");
  assert.equal(hal.io_read(btn), 1);
  clock.advance(PRESS_MS - 1);
  assert.equal(hal.io_read(btn), 1);
  clock.advance(1);
  assert.equal(hal.io_read(btn), 0);
  assert.equal(wakes, 2);
  assert.deepEqual(io.history, [{ t: 1000, name: "button1", value: 1, dir: "in" }, { t: 1100, name: "button1", value: 0, dir: "in" }]);
  io.press("exit", 250);
  clock.advance(249);
  assert.equal(io.value("exit"), 1);
  clock.advance(1);
  assert.equal(io.value("exit"), 0);
  io.press("button1", null);
  clock.advance(10000);
  assert.equal(io.value("button1"), 1, "held until released");
  io.release("button1");
  assert.equal(io.value("button1"), 0);
  io.press("button1", 100);
  io.set("button1", 1);              // a set cancels the pending release
  clock.advance(200);
  assert.equal(io.value("button1"), 1);
  io.set("door", 1);
  assert.equal(hal.io_read(hal.io_find(enc.encode("door"))), 1);
});

test("injecting into unknown names or outputs throws; reset returns outputs to power-on values", () => {
  const { io, hal } = setup();
  assert.throws(() => io.press("button9"), /no io named button9/);
  assert.throws(() => io.set("relay1", 1), /is an output/);
  assert.throws(() => io.set("door", 2), /0 or 1/);
  hal.io_write(hal.io_find(enc.encode("relay1")), 1);
  hal.io_write(hal.io_find(enc.encode("led_status")), 7);
  io.set("door", 1);
  io.reset();
  assert.deepEqual(io.state(), { inputs: { button1: 0, exit: 0, door: 1 }, outputs: { relay1: 0, led_status: 40, led_call: 0 } });
});

test("a device built from a board file gets that board's io and reports its id", () => {
  const clock = new VirtualClock();
  const dev = new Device({ wasm: "build/firmware.wasm", clock, boardDef: loadBoard("boards/esp32-s3-korvo-2.json") });
  assert.ok(dev.io.find("button1") >= 0);
  assert.equal(dev.io.find("relay2"), HalError.E_NOTFOUND);
  const buf = new Uint8Array(64);
  const n = dev.halHost.sys_info(enc.encode("board"), buf);
  assert.equal(new TextDecoder().decode(buf.subarray(0, n)), "esp32-s3-korvo-2");
});
