// LED patterns on the io outputs: off, on, slow blink (registering / calling), fast blink
// (failure), driven by one timer per LED on the firmware clock.
import { Timer } from "../sys/clock";
import * as io from "./io";

export const OFF: i32 = 0;
export const ON: i32 = 1;
export const BLINK_SLOW: i32 = 2;  // 500 ms on / 500 ms off
export const BLINK_FAST: i32 = 3;  // 100 ms on / 100 ms off

const LEDS: i32 = 2; // led_status, led_call
const pattern = memory.data(LEDS << 2); // i32 per LED
const phase = memory.data(LEDS << 2);   // i32 per LED: 1 while lit in a blink

// @ts-ignore: decorator
@inline function at(a: usize, led: i32): usize { return a + (<usize>led << 2); }

function output(led: i32): i32 { return led == 0 ? io.OUT_LED_STATUS : io.OUT_LED_CALL; }

function step(t: Timer): void {
  const led = t.ctx;
  const p = load<i32>(at(pattern, led));
  if (p != BLINK_SLOW && p != BLINK_FAST) return;
  const on = load<i32>(at(phase, led)) ^ 1;
  store<i32>(at(phase, led), on);
  io.write(output(led), on);
  t.start(p == BLINK_SLOW ? 500 : 100);
}

const statusTimer = new Timer(step, 0);
const callTimer = new Timer(step, 1);

export const STATUS: i32 = 0;
export const CALL: i32 = 1;

/** Sets an LED's pattern; setting the current pattern again keeps its rhythm. */
export function set(led: i32, p: i32): void {
  if (load<i32>(at(pattern, led)) == p) return;
  store<i32>(at(pattern, led), p);
  const t = led == 0 ? statusTimer : callTimer;
  t.cancel();
  if (p == OFF || p == ON) { io.write(output(led), p); return; }
  store<i32>(at(phase, led), 0);
  step(t);
}

export function get(led: i32): i32 { return load<i32>(at(pattern, led)); }
