// LED patterns on the io outputs: off, on, slow blink (registering / calling), fast blink
// (failure), driven by one timer per LED on the firmware clock.
import { Timer } from "../sys/clock";
import * as io from "./io";

export const OFF: i32 = 0;
export const ON: i32 = 1;
export const BLINK_SLOW: i32 = 2;  // 500 ms on / 500 ms off
export const BLINK_FAST: i32 = 3;  // 100 ms on / 100 ms off

const LEDS: i32 = 2; // led_status, led_call
const pattern = new StaticArray<i32>(LEDS);
const phase = new StaticArray<i32>(LEDS);

function output(led: i32): i32 { return led == 0 ? io.OUT_LED_STATUS : io.OUT_LED_CALL; }

function step(t: Timer): void {
  const led = t.ctx;
  const p = pattern[led];
  if (p != BLINK_SLOW && p != BLINK_FAST) return;
  const on = phase[led] ^ 1;
  phase[led] = on;
  io.write(output(led), on);
  t.start(p == BLINK_SLOW ? 500 : 100);
}

const timers: StaticArray<Timer> = [new Timer(step, 0), new Timer(step, 1)];

export const STATUS: i32 = 0;
export const CALL: i32 = 1;

/** Sets an LED's pattern; setting the current pattern again keeps its rhythm. */
export function set(led: i32, p: i32): void {
  if (pattern[led] == p) return;
  pattern[led] = p;
  const t = timers[led];
  t.cancel();
  if (p == OFF || p == ON) { io.write(output(led), p); return; }
  phase[led] = 0;
  step(t);
}

export function get(led: i32): i32 { return pattern[led]; }
