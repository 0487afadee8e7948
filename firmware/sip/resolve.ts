// Host name resolution for SIP targets (sip.domain, sip.proxy, call targets): dotted IPv4 is used
// as is; names go through the HAL's asynchronous lookup (hal.net_resolve), polled from the tick.
// A small fixed table caches answers for RESOLVE_TTL_MS; a failed name is retried no sooner than
// RESOLVE_RETRY_MS. (RFC 3263 NAPTR/SRV selection is not done: A records and explicit ports.)
import * as hal from "../hal";
import * as log from "../sys/log";
import { now } from "../sys/clock";
import { eqBytesNoCase, parseIp4 } from "../sys/bytes";
import { RESOLVE_SLOTS, RESOLVE_NAME_MAX } from "../config";
import { T } from "../sys/text";

export const R_FAILED: i32 = 0; // also a slot never used (zero-filled)
export const R_OK: i32 = 1;
export const R_PENDING: i32 = 2;

const RESOLVE_TTL_MS: i64 = 300000;
const RESOLVE_RETRY_MS: i64 = 10000;

/** A cache slot: a struct over static memory, its name's RESOLVE_NAME_MAX bytes right after it
 *  (zero-filled: a failed lookup of no name, long ago; nothing at start-up). */
@unmanaged class Entry {
  get name(): usize { return changetype<usize>(this) + offsetof<Entry>(); }
  nameLen: i32;
  state: i32;
  ip: u32;
  query: i32;
  at: i64;
  used: i64;
}
const ENTRY_SIZE: i32 = <i32>offsetof<Entry>() + RESOLVE_NAME_MAX;
const entries = memory.data(RESOLVE_SLOTS * ENTRY_SIZE);
const addr = memory.data(4);

function slot(i: i32): Entry { return changetype<Entry>(entries + <usize>(i * ENTRY_SIZE)); }

/** Looks a host up; returns R_OK with *ipOut set, R_PENDING (poll again later) or R_FAILED. */
export function lookup(p: usize, n: i32): i32 {
  const lit = parseIp4(p, n);
  if (lit >= 0) { lastIp = <u32>lit; return R_OK; }
  if (n <= 0 || n > RESOLVE_NAME_MAX) return R_FAILED;
  let e: Entry | null = null;
  let oldest: Entry | null = null;
  for (let i = 0; i < RESOLVE_SLOTS; i++) {
    const c = slot(i);
    if (c.nameLen == n && eqBytesNoCase(c.name, c.nameLen, p, n)) { e = c; break; }
    // A slot with a lookup under way is not reused: its HAL handle is released only by its result.
    if (c.state != R_PENDING && (oldest === null || c.used < oldest.used)) oldest = c;
  }
  const t = now();
  if (e === null) {
    if (oldest === null) return R_PENDING;
    e = oldest;
    memory.copy(e.name, p, <usize>n);
    e.nameLen = n;
    e.state = R_FAILED;
    e.at = -RESOLVE_RETRY_MS;
  }
  e.used = t;
  if (e.state == R_OK && t - e.at < RESOLVE_TTL_MS) { lastIp = e.ip; return R_OK; }
  if (e.state == R_PENDING) return R_PENDING;
  if (e.state == R_FAILED && t - e.at < RESOLVE_RETRY_MS && e.at > 0) return R_FAILED;
  const q = hal.net_resolve(e.name, e.nameLen);
  if (q < 0) { e.state = R_FAILED; e.at = t; return R_FAILED; }
  e.query = q;
  e.state = R_PENDING;
  return R_PENDING;
}

/** The address found by the last lookup() that returned R_OK. */
export let lastIp: u32 = 0;

/** Forgets a cached answer (after the address stopped answering). */
export function forget(p: usize, n: i32): void {
  for (let i = 0; i < RESOLVE_SLOTS; i++) {
    const c = slot(i);
    if (c.nameLen == n && eqBytesNoCase(c.name, c.nameLen, p, n) && c.state == R_OK) c.at = -RESOLVE_TTL_MS;
  }
}

/** Collects finished lookups (called every tick). Returns true when one finished. */
export function poll(): bool {
  let done = false;
  for (let i = 0; i < RESOLVE_SLOTS; i++) {
    const e = slot(i);
    if (e.state != R_PENDING) continue;
    const r = hal.net_resolve_result(e.query, addr, 4);
    if (r == hal.E_AGAIN) continue;
    e.query = -1;
    e.at = now();
    done = true;
    if (r == hal.OK) {
      e.ip = bswap<u32>(load<u32>(addr));
      e.state = R_OK;
      log.info().str(T("dns: ")).bytes(e.name, e.nameLen).str(T(" is ")).ip4(e.ip).end();
    } else {
      e.state = R_FAILED;
      log.warn().str(T("dns: cannot resolve ")).bytes(e.name, e.nameLen).end();
    }
  }
  return done;
}
