// The CLI's terminal pieces without a process: Terminal in raw (TTY) and line (piped) mode with
// fake streams, and IoReporter's notices including blink detection on the virtual clock.
import { test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { VirtualClock } from "../../host-sim/src/index.js";
import { Terminal, type Key } from "../../host-sim/src/cli/terminal.js";
import { IoReporter } from "../../host-sim/src/cli/notices.js";

function harness(tty: boolean) {
  const input = new PassThrough() as PassThrough & { setRawMode?: (b: boolean) => void; isTTY?: boolean };
  const rawCalls: boolean[] = [];
  if (tty) input.setRawMode = (b: boolean) => { rawCalls.push(b); };
  let out = "", notices = "";
  const output = new PassThrough(); output.on("data", (d: Buffer) => { out += d.toString(); });
  const noticeOutput = new PassThrough(); noticeOutput.on("data", (d: Buffer) => { notices += d.toString(); });
  const fw: string[] = [], dots: string[] = [], keys: Key[] = [];
  let quit = 0, ended = 0;
  const t = new Terminal({
    input, output, noticeOutput, tty, consoleHere: true,
    toFirmware: (b) => fw.push(new TextDecoder().decode(b)),
    onDot: (l) => { dots.push(l); return [`did ${l}`]; },
    onKey: (k) => keys.push(k), onQuit: () => quit++, onEnd: () => ended++,
  });
  t.start();
  const tick = (): Promise<void> => new Promise((r) => setImmediate(r));
  return { t, input, rawCalls, fw, dots, keys, get out() { return out; }, get notices() { return notices; }, get quit() { return quit; }, get ended() { return ended; }, tick };
}

test("raw mode: bytes go to the firmware (CR as LF), keys and dot-lines stay in the simulator", async () => {
  const h = harness(true);
  assert.deepEqual(h.rawCalls, [true]);
  h.input.write("help\r");
  await h.tick();
  assert.equal(h.fw.join(""), "help\n");
  h.t.firmwareOutput(new TextEncoder().encode("ok\n> "));
  h.input.write(".io\r");
  await h.tick();
  assert.deepEqual(h.dots, [".io"]);
  assert.equal(h.fw.join(""), "help\n", "the dot-line never reached the firmware");
  assert.ok(h.out.endsWith(".io\r\ndid .io\r\n> "), JSON.stringify(h.out));
  h.input.write("\x02\x05");
  await h.tick();
  assert.deepEqual(h.keys, ["call", "exit"]);
  h.input.write("a.b\r");                      // a dot in the middle of a line is the firmware's
  await h.tick();
  assert.equal(h.fw.join(""), "help\na.b\n");
  h.input.write(".x\x7f\x7fst");               // backspace out of a dot-line: back to the firmware
  await h.tick();
  assert.equal(h.fw.join(""), "help\na.b\nst");
  h.input.write("\x03");
  await h.tick();
  assert.equal(h.quit, 1);
  h.t.stop();
  assert.deepEqual(h.rawCalls, [true, false], "cooked mode restored");
});

test("raw mode: a notice clears the line, prints itself and redraws the prompt and typed text", async () => {
  const h = harness(true);
  h.t.firmwareOutput(new TextEncoder().encode("banner\r\n> set sip.us"));
  h.t.notice("[io] relay1 ON");
  assert.ok(h.out.endsWith("\r\x1b[K[io] relay1 ON\r\n> set sip.us"), JSON.stringify(h.out));
  h.input.write(".pr");
  await h.tick();
  h.t.firmwareOutput(new TextEncoder().encode("\x1b[2K\r> "));
  h.t.notice("[io] led_call blinking");
  assert.ok(h.out.endsWith("[io] led_call blinking\r\n> .pr"), JSON.stringify(h.out));
});

test("line mode (piped): whole lines, dot-lines handled here, notices on their own stream, end reported", async () => {
  const h = harness(false);
  h.input.write("help\n.io\nsta");
  await h.tick();
  assert.deepEqual(h.fw, ["help\n"]);
  assert.deepEqual(h.dots, [".io"]);
  h.input.end("tus");
  await h.tick();
  await h.tick();
  assert.deepEqual(h.fw, ["help\n", "status\n"]);
  assert.equal(h.ended, 1);
  h.t.notice("[io] relay1 ON");
  assert.equal(h.notices, "[io] relay1 ON\n");
  assert.equal(h.out, "did .io\n");
});

test("io notices: relays ON/OFF, buttons and the door, a fast-toggling LED becomes one 'blinking' line", () => {
  const clock = new VirtualClock();
  const lines: string[] = [];
  const r = new IoReporter(clock, (l) => lines.push(l));
  r.output("relay1", "relay", 1);
  r.input("button1", "button", 1);
  r.input("door", "contact", 1);
  r.output("led_status", "dimmable_led", 128);
  for (let i = 0; i < 20; i++) { r.output("led_call", "led", (i + 1) % 2); clock.advance(250); }
  clock.advance(2000);
  assert.deepEqual(lines, [
    "[io] relay1 ON", "[io] button1 pressed", "[io] door open", "[io] led_status 128",
    "[io] led_call on", "[io] led_call off", "[io] led_call on", "[io] led_call blinking", "[io] led_call off (steady)",
  ]);
  lines.length = 0;
  r.output("led_call", "led", 1);
  clock.advance(1000);
  r.output("led_call", "led", 0);
  assert.deepEqual(lines, ["[io] led_call on", "[io] led_call off"], "slow changes are shown one by one");
});
