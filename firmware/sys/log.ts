// Logging with levels. A line is built in one shared writer and handed to hal.log_write; the
// level check comes first, so a muted line costs almost nothing. Usage:
//   log.info().str("registered, expires ").dec(600).end();
// Secrets (passwords, digest responses) must never be written to a log line.
import { Writer } from "./bytes";

export const ERROR: i32 = 0;
export const WARN: i32 = 1;
export const INFO: i32 = 2;
export const DEBUG: i32 = 3;
export const TRACE: i32 = 4;

const LINE_CAP: i32 = 256;

/** Current level: lines above it are dropped. */
export let level: i32 = INFO;

export function setLevel(l: i32): void { level = l < ERROR ? ERROR : l > TRACE ? TRACE : l; }

// The line's tag is its level: Writer.end() writes it with hal.log_write (unless muted: cap 0).
const line = new Writer(memory.data(LINE_CAP), LINE_CAP);

function begin(l: i32): Writer {
  line.reset();
  line.tag = l;
  line.cap = l <= level ? LINE_CAP : 0;
  return line;
}

export function error(): Writer { return begin(ERROR); }
export function warn(): Writer { return begin(WARN); }
export function info(): Writer { return begin(INFO); }
export function debug(): Writer { return begin(DEBUG); }
export function trace(): Writer { return begin(TRACE); }
/** True when lines of level l are written (to skip expensive formatting). */
export function on(l: i32): bool { return l <= level; }
