// The unit's named inputs and outputs (board file names, ARCHITECTURE "Board io names"), looked
// up once through hal.io_find. Inputs are sampled every tick and debounced in firmware: a new
// level counts once it has held for DEBOUNCE_MS. Each accepted change is published as an `io`
// event and handed to the application (app.onInput).
import * as hal from "../hal";
import * as event from "../sys/event";
import { now } from "../sys/clock";
import { DEBOUNCE_MS } from "../config";
import { T, Text, textLen, textPtr } from "../sys/text";
import { onInput } from "./app"; // the application's handler of every debounced change

export const IN_BUTTON1: i32 = 0;
export const IN_EXIT: i32 = 1;
export const IN_DOOR: i32 = 2;
const IN_COUNT: i32 = 3;

export const OUT_RELAY1: i32 = 0;
export const OUT_LED_STATUS: i32 = 1;
export const OUT_LED_CALL: i32 = 2;
const OUT_COUNT: i32 = 3;

// Names, inputs then outputs (Text handles, index = IN_* or IN_COUNT + OUT_*).
const NAMES = memory.data<u32>([T("button1"), T("exit"), T("door"), T("relay1"), T("led_status"), T("led_call")]);

// Per input (i32 each; inSince i64): handle, debounced level, last sampled level, when the raw
// level last changed. Per output: handle, last value written (-1: none yet).
const inHandle = memory.data(IN_COUNT << 2);
const inStable = memory.data(IN_COUNT << 2);
const inRaw = memory.data(IN_COUNT << 2);
const inSince = memory.data(IN_COUNT << 3);
const outHandle = memory.data(OUT_COUNT << 2);
const outValue = memory.data(OUT_COUNT << 2);

// @ts-ignore: decorator
@inline function get(a: usize, i: i32): i32 { return load<i32>(a + (<usize>i << 2)); }
// @ts-ignore: decorator
@inline function put(a: usize, i: i32, v: i32): void { store<i32>(a + (<usize>i << 2), v); }

function name(i: i32): Text { return load<u32>(NAMES + (<usize>i << 2)); }

function find(i: i32): i32 {
  const t = name(i);
  return hal.io_find(textPtr(t), textLen(t));
}

export function init(): void {
  for (let i = 0; i < IN_COUNT; i++) {
    const h = find(i);
    put(inHandle, i, h);
    const v = h >= 0 ? (hal.io_read(h) > 0 ? 1 : 0) : 0;
    put(inStable, i, v);
    put(inRaw, i, v);
    store<i64>(inSince + (<usize>i << 3), now());
  }
  for (let i = 0; i < OUT_COUNT; i++) {
    put(outHandle, i, find(IN_COUNT + i));
    put(outValue, i, -1);
    write(i, 0);
  }
}

/** True when the board has this input. */
export function hasInput(i: i32): bool { return get(inHandle, i) >= 0; }
/** Debounced level of an input (0 when the board lacks it). */
export function level(i: i32): i32 { return get(inStable, i); }

/** Samples the inputs; returns the ms until a pending debounce settles (or -1 when none). */
export function poll(): i64 {
  let wait: i64 = -1;
  const t = now();
  for (let i = 0; i < IN_COUNT; i++) {
    const h = get(inHandle, i);
    if (h < 0) continue;
    const v = hal.io_read(h) > 0 ? 1 : 0;
    const since = inSince + (<usize>i << 3);
    if (v != get(inRaw, i)) { put(inRaw, i, v); store<i64>(since, t); }
    if (v == get(inStable, i)) continue;
    const held = t - load<i64>(since);
    if (held >= DEBOUNCE_MS) {
      put(inStable, i, v);
      event.begin(T("io")).str(T("name"), name(i)).num(T("value"), v).end();
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
  if (get(outValue, o) == value) return;
  put(outValue, o, value);
  const h = get(outHandle, o);
  if (h >= 0) hal.io_write(h, value);
}

/** Last value written to an output. */
export function output(o: i32): i32 { const v = get(outValue, o); return v < 0 ? 0 : v; }
