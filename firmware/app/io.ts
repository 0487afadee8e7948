// The unit's named inputs and outputs (board file names, ARCHITECTURE "Board io names"), looked
// up once through hal.io_find. Inputs are sampled every tick and debounced in firmware: a new
// level counts once it has held for DEBOUNCE_MS. Each accepted change is published as an `io`
// event and handed to the application through onInput.
import * as hal from "../hal";
import * as event from "../sys/event";
import { now } from "../sys/clock";
import { DEBOUNCE_MS } from "../config";
import { T, Text, textLen, textPtr } from "../sys/text";

export const IN_BUTTON1: i32 = 0;
export const IN_EXIT: i32 = 1;
export const IN_DOOR: i32 = 2;
const IN_COUNT: i32 = 3;

export const OUT_RELAY1: i32 = 0;
export const OUT_LED_STATUS: i32 = 1;
export const OUT_LED_CALL: i32 = 2;
const OUT_COUNT: i32 = 3;

const IN_NAMES: StaticArray<Text> = [T("button1"), T("exit"), T("door")];
const OUT_NAMES: StaticArray<Text> = [T("relay1"), T("led_status"), T("led_call")];

const inHandle = new StaticArray<i32>(IN_COUNT);
const inStable = new StaticArray<i32>(IN_COUNT);   // debounced level
const inRaw = new StaticArray<i32>(IN_COUNT);      // last sampled level
const inSince = new StaticArray<i64>(IN_COUNT);    // when the raw level last changed
const outHandle = new StaticArray<i32>(OUT_COUNT);
const outValue = new StaticArray<i32>(OUT_COUNT);
const nameBuf = memory.data(16);

/** Called with (input, level) for every debounced change; set by the application. */
export let onInput: (input: i32, level: i32) => void = (input: i32, level: i32): void => {};
export function setHandler(fn: (input: i32, level: i32) => void): void { onInput = fn; }

function find(name: Text): i32 {
  return hal.io_find(textPtr(name), textLen(name));
}

export function init(): void {
  for (let i = 0; i < IN_COUNT; i++) {
    const h = find(IN_NAMES[i]);
    inHandle[i] = h;
    const v = h >= 0 ? (hal.io_read(h) > 0 ? 1 : 0) : 0;
    inStable[i] = v;
    inRaw[i] = v;
    inSince[i] = now();
  }
  for (let i = 0; i < OUT_COUNT; i++) {
    outHandle[i] = find(OUT_NAMES[i]);
    outValue[i] = -1;
    write(i, 0);
  }
}

/** True when the board has this input. */
export function hasInput(i: i32): bool { return inHandle[i] >= 0; }
/** Debounced level of an input (0 when the board lacks it). */
export function level(i: i32): i32 { return inStable[i]; }

/** Samples the inputs; returns the ms until a pending debounce settles (or -1 when none). */
export function poll(): i64 {
  let wait: i64 = -1;
  const t = now();
  for (let i = 0; i < IN_COUNT; i++) {
    const h = unchecked(inHandle[i]);
    if (h < 0) continue;
    const v = hal.io_read(h) > 0 ? 1 : 0;
    if (v != unchecked(inRaw[i])) { inRaw[i] = v; inSince[i] = t; }
    if (v == unchecked(inStable[i])) continue;
    const held = t - unchecked(inSince[i]);
    if (held >= DEBOUNCE_MS) {
      inStable[i] = v;
      event.begin(T("io")).str(T("name"), IN_NAMES[i]).num(T("value"), v).end();
      onInput(i, v);
    } else {
      const left = DEBOUNCE_MS - held;
      if (wait < 0 || left < wait) wait = left;
    }
  }
  return wait;
}

/** Drives an output (no-op when the board lacks it or the value is unchanged). */
export function write(o: i32, value: i32): void {
  if (unchecked(outValue[o]) == value) return;
  outValue[o] = value;
  const h = unchecked(outHandle[o]);
  if (h >= 0) hal.io_write(h, value);
}

/** Last value written to an output. */
export function output(o: i32): i32 { return outValue[o] < 0 ? 0 : outValue[o]; }
