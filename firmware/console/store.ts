// The settings store: every value in one blob, kept in two kv slots (`set.a`, `set.b`) so that a
// power loss at any byte of a save leaves the old settings or the new ones, never a mix.
//
// Blob (little-endian): magic "ISET", u16 format version (1), u16 reserved (0), u32 generation,
// u32 payload length, u32 CRC-32 (IEEE) over the 16 header bytes before it and the payload, then
// the payload: one record `key=value\n` per key. A firmware with other keys still loads it:
// unknown keys are ignored, missing keys take their default, a value that no longer validates
// keeps its default.
//
// save() writes the slot that does NOT hold the current settings, with generation + 1, and reads
// it back. restore() (boot) reads both and takes the valid one (magic, version, length, CRC) with
// the highest generation. A torn write leaves the slot being written invalid (the CRC covers the
// generation and the length too), so the other slot, the current settings, wins; a write that
// completed wins by its generation.
import * as hal from "../hal";
import { SETTINGS_BLOB_MAX } from "../config";
import { Writer } from "../sys/bytes";
import * as log from "../sys/log";
import * as event from "../sys/event";
import * as settings from "./settings";
import { check, norm } from "./validate";
import { crc32 } from "./crc32";
import { T, Text, textPtr, textLen } from "../sys/text";

export const MAGIC: u32 = 0x54455349;   // "ISET" in little-endian byte order
export const VERSION: i32 = 1;
export const HEADER: i32 = 20;

/** The blob buffer (encode, read, read-back). */
export const blob = memory.data(SETTINGS_BLOB_MAX);
const bw = new Writer(blob, SETTINGS_BLOB_MAX);

const DAMAGED = T("store damaged, running on defaults");

let cur: i32 = -1;        // slot holding the active settings (0 = set.a, 1 = set.b), -1 none
let curGen: u32 = 0;

/** Slot that holds the active settings: 0 (set.a), 1 (set.b) or -1 (running on defaults). */
export function currentSlot(): i32 { return cur; }
/** Generation of the active settings' blob (0 when none). */
export function currentGeneration(): u32 { return curGen; }

function slotKey(slot: i32): Text { return slot == 0 ? T("set.a") : T("set.b"); }

/** Largest blob the schema can produce (all values at their maximum length). */
export function blobMax(): i32 {
  let n = HEADER;
  for (let k = 0; k < settings.COUNT; k++) n += textLen(settings.keyOf(k)) + settings.slotSize(k) + 2;
  return n;
}

/** Writes the blob of the pending values with generation `gen` into [dst, dst+cap); returns its
 *  length, or -1 when it does not fit. */
export function encode(dst: usize, cap: i32, gen: u32): i32 {
  if (cap < HEADER) return -1;
  const w = bw;
  w.base = dst + <usize>HEADER;
  w.cap = cap - HEADER;
  w.reset();
  for (let k = 0; k < settings.COUNT; k++) {
    w.str(settings.keyOf(k)).byte(61).bytes(settings.pendingPtr(k), settings.pendingLenOf(k)).byte(10);
  }
  if (!w.ok) return -1;
  store<u32>(dst, MAGIC);
  store<u32>(dst + 4, VERSION);
  store<u32>(dst + 8, gen);
  store<u32>(dst + 12, <u32>w.len);
  store<u32>(dst + 16, crc32(crc32(0, dst, 16), dst + <usize>HEADER, w.len));
  return HEADER + w.len;
}

/** Checks a blob (magic, version, length, CRC); returns its generation, or -1 when invalid. */
export function verify(p: usize, n: i32): i64 {
  if (n < HEADER || load<u32>(p) != MAGIC || load<u32>(p + 4) != VERSION) return -1;
  const len = load<u32>(p + 12);
  if (<u64>len + <u64>HEADER != <u64>n) return -1;
  if (crc32(crc32(0, p, 16), p + <usize>HEADER, <i32>len) != load<u32>(p + 16)) return -1;
  return <i64>load<u32>(p + 8);
}

/** Sets the pending values from a verified blob's payload (keys it lacks: default); returns the
 *  number of keys taken. Unknown keys and values that do not validate are skipped (logged). */
export function decode(p: usize, n: i32): i32 {
  settings.pendingDefaults();
  let i = HEADER, taken = 0;
  while (i < n) {
    let e = i;
    while (e < n && load<u8>(p + <usize>e) != 10) e++;
    let eq = i;
    while (eq < e && load<u8>(p + <usize>eq) != 61) eq++;
    const k = eq < e ? settings.find(p + <usize>i, eq - i) : -1;
    if (k >= 0) {
      // check() writes its reason straight into the warning (check itself never logs).
      const lw = note(log.warn()).str(T("stored value ignored: "));
      const m = check(k, p + <usize>(eq + 1), e - eq - 1, lw);
      if (m >= 0) {
        settings.setPending(k, norm, m);
        taken++;
      } else lw.end();
    }
    i = e + 1;
  }
  return taken;
}

/** Which slot to use given each slot's generation (-1 = invalid or missing): 0, 1 or -1. */
export function choose(genA: i64, genB: i64): i32 {
  if (genA < 0 && genB < 0) return -1;
  return genA >= genB ? 0 : 1;
}

let readLen: i32 = 0;

/** Reads a slot into the blob buffer: its generation, -1 when invalid, -2 when missing. */
function readSlot(slot: i32): i64 {
  const key = slotKey(slot);
  const n = readLen = hal.kv_read(textPtr(key), textLen(key), blob, SETTINGS_BLOB_MAX);
  if (n == hal.E_NOTFOUND) return -2;
  return n < 0 || n > SETTINGS_BLOB_MAX ? -1 : verify(blob, n);
}

function note(w: Writer): Writer { return w.str(T("settings: ")); }

/** Boot: loads the newest valid blob into the settings (and commits them), or runs on the
 *  defaults. Returns the slot used, or -1. */
export function restore(): i32 {
  const ga = readSlot(0);
  const gb = readSlot(1);
  let slot = choose(ga, gb);
  cur = -1;
  curGen = 0;
  settings.pendingDefaults();
  if (slot >= 0) {
    const gen = readSlot(slot);
    if (gen >= 0) {
      decode(blob, readLen);
      cur = slot;
      curGen = <u32>gen;
      if ((slot == 0 ? gb : ga) == -1) note(log.warn()).str(T("slot ")).str(slotKey(1 - slot)).str(T(" damaged, ignored")).end();
      note(log.info()).str(T("loaded generation ")).dec(curGen).str(T(" from ")).str(slotKey(slot)).end();
    } else slot = -1; // changed under us: should not happen; stay on defaults
  } else if (ga == -2 && gb == -2) {
    note(log.info()).str(T("none saved, running on defaults")).end();
  } else {
    note(log.warn()).str(DAMAGED).end();
    event.begin(T("error")).str(T("what"), T("settings")).str(T("reason"), DAMAGED).end();
  }
  settings.commit();
  return slot;
}

/** `save`: writes the pending values to the other slot with the next generation, reads it back,
 *  then makes them active (commit, `settings` event). Returns the number of keys that changed,
 *  or a negative HAL error (E_IO also when the read-back differs); on error nothing changes. */
export function save(): i32 {
  const gen = curGen + 1;
  const slot = cur == 0 ? 1 : 0;
  const key = slotKey(slot);
  const n = encode(blob, SETTINGS_BLOB_MAX, gen);
  if (n < 0) return hal.E_IO; // config.SETTINGS_BLOB_MAX too small for the schema (a spec checks)
  const r = hal.kv_write(textPtr(key), textLen(key), blob, n);
  if (r < 0) return r;
  if (readSlot(slot) != <i64>gen || readLen != n) return hal.E_IO;
  cur = slot;
  curGen = gen;
  note(log.info()).str(T("saved generation ")).dec(gen).end();
  return changed();
}

/** `factory-reset`: erases both slots and makes the defaults active (`settings` event).
 *  Returns the number of keys that changed, or a negative HAL error. */
export function erase(): i32 {
  let r = hal.kv_erase(textPtr(T("set.a")), 5);
  if (r >= 0) r = hal.kv_erase(textPtr(T("set.b")), 5);
  if (r < 0) return r;
  cur = -1;
  curGen = 0;
  settings.pendingDefaults();
  note(log.info()).str(T("erased, running on defaults")).end();
  return changed();
}

/** Makes the pending values active and emits the `settings` event; returns how many changed. */
function changed(): i32 {
  const n = settings.dirtyCount();
  settings.commit();
  event.begin(T("settings")).num(T("saved"), n).end();
  return n;
}
