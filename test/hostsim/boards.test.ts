// Every boards/*.json validates against the schema (boards/README.md); the validator catches the
// mistakes it is there for: bad names, wrong kinds, duplicate pins, missing required io, pins on
// the host board, reserved GPIOs, overlapping ADC key windows, unknown fields.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { BoardError, loadBoard, validateBoard, REQUIRED_IO } from "../../host-sim/src/index.js";

const files = readdirSync("boards").filter((f) => f.endsWith(".json")).sort();
const korvo = (): Record<string, any> => JSON.parse(readFileSync("boards/esp32-s3-korvo-2.json", "utf8"));

test("the boards directory has the host board and at least one real ESP32 board", () => {
  assert.ok(files.includes("host.json"));
  assert.ok(files.filter((f) => f !== "host.json").length >= 1);
});

for (const f of files) {
  test(`boards/${f} is valid, its id matches its file name, it has the product's required io`, () => {
    const raw = JSON.parse(readFileSync(join("boards", f), "utf8"));
    assert.deepEqual(validateBoard(raw), []);
    const b = loadBoard(join("boards", f));
    assert.equal(`${b.id}.json`, f);
    const names = [...b.inputs, ...b.outputs].map((x) => x.name);
    for (const r of REQUIRED_IO) assert.ok(names.includes(r), `${r} present`);
    if (b.soc !== "host") assert.ok((b.sources ?? []).length > 0, "a real board cites its sources");
  });
}

test("the host board has every io name of the architecture", () => {
  const b = loadBoard("boards/host.json");
  assert.deepEqual(b.inputs.map((i) => i.name), ["button1", "exit", "door"]);
  assert.deepEqual(b.outputs.map((o) => o.name), ["relay1", "led_status", "led_call"]);
});

test("duplicate pins are caught wherever they are used", () => {
  const b = korvo();
  b.outputs[0].gpio = 48;                                  // the amplifier enable pin
  assert.deepEqual(validateBoard(b), ["outputs[0].gpio: GPIO48 is already used by audio.amp_enable.gpio"]);
  const c = korvo();
  c.outputs[2].expander.pin = 6;                           // led_call onto led_status's expander pin
  assert.deepEqual(validateBoard(c), ["outputs[2].expander: tca9554 pin 6 is already used by outputs[1].expander"]);
  const d = korvo();
  d.inputs[2].gpio = 5;                                    // the door contact onto the ADC key ladder
  assert.deepEqual(validateBoard(d), ["inputs[2].gpio: GPIO5 is already used by inputs ladder on GPIO5"]);
  const e = korvo();
  e.inputs[1].adc.min_mv = 2400;                           // MUTE window overlapping REC
  assert.match(validateBoard(e).join("\n"), /inputs\[1\]\.adc: 2400\.\.2080 mV|min_mv/);
  const f = korvo();
  f.inputs[1].adc = { ...f.inputs[0].adc, min_mv: 2500, max_mv: 2600 };
  assert.deepEqual(validateBoard(f), ["inputs[1].adc: 2500..2600 mV overlaps inputs[0]"]);
});

test("names, kinds and required io", () => {
  const b = korvo();
  b.outputs[0].name = "relay2";
  assert.deepEqual(validateBoard(b), ["relay1: every board needs it"]);
  const c = korvo();
  c.inputs[0].name = "bell";
  assert.match(validateBoard(c).join("\n"), /inputs\[0\]\.name: "bell" is not an input name/);
  const d = korvo();
  d.inputs[2].kind = "button";
  assert.deepEqual(validateBoard(d), ["inputs[2].kind: door must be contact"]);
  const e = korvo();
  e.inputs.push({ ...e.inputs[2], gpio: 41 });
  assert.deepEqual(validateBoard(e), ["inputs[3].name: door is defined twice"]);
  const f = korvo();
  f.outputs[1].kind = "dimmable_led";
  assert.deepEqual(validateBoard(f), []);
});

test("pins: exactly one place per io on a real board, none on the host board, real and unreserved GPIOs", () => {
  const h = JSON.parse(readFileSync("boards/host.json", "utf8"));
  h.inputs[0].gpio = 4;
  assert.deepEqual(validateBoard(h), ["inputs[0]: the host board has no pins", 'inputs[0].active: "high" or "low"']);
  const b = korvo();
  delete b.outputs[0].gpio;
  assert.deepEqual(validateBoard(b), ["outputs[0]: exactly one of gpio, adc, expander", "outputs[0].active: only for gpio and expander pins"]);
  const c = korvo();
  c.outputs[0].gpio = 49;
  assert.deepEqual(validateBoard(c), ["outputs[0].gpio: GPIO49 does not exist on esp32s3"]);
  const d = korvo();
  d.outputs[0].gpio = 27;
  assert.deepEqual(validateBoard(d), ["outputs[0].gpio: GPIO27 is reserved (flash/PSRAM) on esp32s3"]);
  d.outputs[0].gpio = 23;
  assert.deepEqual(validateBoard(d), ["outputs[0].gpio: GPIO23 does not exist on esp32s3"]);
  const e = korvo();
  e.outputs[0].active = "on";
  assert.deepEqual(validateBoard(e), ['outputs[0].active: "high" or "low"']);
  const f = korvo();
  f.outputs[1].expander.id = "pca9557";
  assert.deepEqual(validateBoard(f), ["outputs[1].expander.id: no expander pca9557 in expanders"]);
});

test("unknown fields, missing fields, audio and network checks", () => {
  const b = korvo();
  b.colour = "red";
  b.inputs[0].debounce = 20;
  assert.deepEqual(validateBoard(b), ["colour: unknown field", "inputs[0].debounce: unknown field"]);
  const c = korvo();
  delete c.audio;
  delete c.sources;
  assert.deepEqual(validateBoard(c), ["audio: required", "sources: a real board cites where its pins come from"]);
  const d = korvo();
  d.audio.sample_rate = 11025;
  d.audio.input.i2c_addr = 24;                              // the ES8311's address
  assert.deepEqual(validateBoard(d), ["audio.sample_rate: one of 8000, 16000, 22050, 32000, 44100, 48000", "audio.output.i2c_addr: I2C address 0x18 is already used by audio.input.i2c_addr"]);
  const e = korvo();
  e.network = { wifi: false, ethernet: null };
  assert.deepEqual(validateBoard(e), ["network: needs wifi, ethernet or host"]);
  assert.throws(() => loadBoard("boards/nope.json"), BoardError);
});
