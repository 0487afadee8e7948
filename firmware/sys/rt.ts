// Runtime hooks: AssemblyScript's env.abort, env.trace and env.seed routed to the HAL
// (asconfig `use`), so that firmware.wasm imports module "hal" only. A failed bounds check or
// a broken invariant ends in hal.sys_panic with file and line, then a trap.
import * as hal from "../hal";
import { utf16ToUtf8 } from "./utf8";

const FILE_CAP: i32 = 96;
const MSG_CAP: i32 = 160;
const fileBuf = memory.data(FILE_CAP);
const msgBuf = memory.data(MSG_CAP);

/** Reports a panic through the HAL and traps; never returns. */
export function panic(msg: string, file: string, line: i32): void {
  const fl = utf16ToUtf8(file, fileBuf, FILE_CAP);
  const ml = utf16ToUtf8(msg, msgBuf, MSG_CAP);
  hal.sys_panic(fileBuf, fl, line, msgBuf, ml);
  unreachable();
}

export function abort(message: string | null, fileName: string | null, lineNumber: u32, columnNumber: u32): void {
  panic(message !== null ? message : "abort", fileName !== null ? fileName : "?", <i32>lineNumber);
}

export function trace(message: string, n: i32 = 0, a0: f64 = 0, a1: f64 = 0, a2: f64 = 0, a3: f64 = 0, a4: f64 = 0): void {
  const ml = utf16ToUtf8(message, msgBuf, MSG_CAP);
  hal.log_write(4, msgBuf, ml);
}

/** Seed for Math.random (unused by the firmware, which takes entropy from sys/random). */
export function seed(): f64 {
  hal.random_fill(msgBuf, 8);
  return <f64>(load<u64>(msgBuf) >>> 11);
}
