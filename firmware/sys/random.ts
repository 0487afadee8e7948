// Random numbers from the HAL's hardware entropy, drawn through a small pool (one HAL call per
// 64 bytes). Used for SIP tags, branches, Call-IDs, digest cnonces, RTP SSRC/sequence/timestamp
// and back-off jitter. Never Math.random.
import * as hal from "../hal";
import { Writer } from "./bytes";

const POOL: i32 = 64;
const pool = memory.data(POOL);
let used: i32 = POOL;

/** A random u32 (exported as u32: a function of that name would hide the type in this file). */
function next(): u32 {
  if (used + 4 > POOL) { hal.random_fill(pool, POOL); used = 0; }
  const v = load<u32>(pool + <usize>used);
  used += 4;
  return v;
}

export { next as u32 };

/** A random integer in [lo, hi] (hi - lo < 2^32). */
export function range(lo: i64, hi: i64): i64 {
  if (hi <= lo) return lo;
  return lo + <i64>(<u64>next() % <u64>(hi - lo + 1));
}

/** Writes n random lower-case hex digits (n <= 64); 4 bits of entropy each. */
export function hex(w: Writer, n: i32): Writer {
  for (let i = 0; i < n; i += 8) {
    const d = n - i < 8 ? n - i : 8;
    w.hex(<u64>next(), d);
  }
  return w;
}
