// The settings: one typed schema table (key, type, default, pattern, limits, secret, help) as
// data, and the values. Two copies of every value: `active` (what the firmware runs with, loaded
// from kv at boot and replaced by `save`) and `pending` (what `set` changes; `revert` copies
// active back). Values are bytes (UTF-8); integers (and the choice index of enums) are also kept
// parsed. Validation lives in validate.ts, the kv blob in store.ts, the commands in commands.ts.
//
// Other modules read active values only, through valuePtr/valueLen/intValue, and notice a
// saved change when `generation` moves.
import { SETTINGS_ARENA } from "../config";
import * as log from "../sys/log";
import { eqLit, eqBytes, parseU32 } from "../sys/bytes";
import { wordIndex } from "../sys/words";
import { T, Text, textLen, textPtr } from "../sys/text";

export const T_STR: i32 = 0;      // free text up to max bytes (UTF-8, no control characters)
export const T_INT: i32 = 1;      // decimal in [min, max] ("even" in pattern: even numbers only)
export const T_ENUM: i32 = 2;     // one of the '|'-separated choices in `pattern`
export const T_HOST: i32 = 3;     // host[:port]: a host name or IPv4 address, optional port
export const T_URI: i32 = 4;      // a sip: or sips: URI, or empty
export const T_LIST: i32 = 5;     // comma-separated SIP URIs, user parts or numbers
export const T_LIST_ANY: i32 = 6; // the same, or `*` (anyone)
export const T_DTMF: i32 = 7;     // min..max of 0-9 * # A-D

const SECRET: u32 = 0x80000000;
const STR: u32 = <u32>T_STR << 28, INT: u32 = <u32>T_INT << 28, ENUM: u32 = <u32>T_ENUM << 28;
const HOST: u32 = <u32>T_HOST << 28, URI: u32 = <u32>T_URI << 28, LIST: u32 = <u32>T_LIST << 28;
const LIST_ANY: u32 = <u32>T_LIST_ANY << 28, DTMF: u32 = <u32>T_DTMF << 28;

/** Fields of a schema row (u32 each). F_KEY holds the key's Text, the type << 28 and SECRET. */
export const F_KEY: i32 = 0;
export const F_DEF: i32 = 1;      // default value (Text)
export const F_PATTERN: i32 = 2;  // choices "a|b", or "even" (Text)
export const F_HELP: i32 = 3;     // one line of help (Text)
export const F_MIN: i32 = 4;      // T_INT, T_DTMF: smallest value / length
export const F_MAX: i32 = 5;      // T_INT: largest value; other types: largest length in bytes (T_ENUM: of a choice)
const FIELDS: i32 = 6;

// Keys, by index into SCHEMA. Keep in the table's order.
export const K_SIP_USER: i32 = 0;
export const K_SIP_PASSWORD: i32 = 1;
export const K_SIP_AUTH_USER: i32 = 2;
export const K_SIP_DOMAIN: i32 = 3;
export const K_SIP_PROXY: i32 = 4;
export const K_SIP_PORT: i32 = 5;
export const K_SIP_EXPIRES: i32 = 6;
export const K_SIP_DISPLAY: i32 = 7;
export const K_SIP_KEEPALIVE: i32 = 8;
export const K_SIP_KEEPALIVE_S: i32 = 9;
export const K_BUTTON1_CALL: i32 = 10;
export const K_CALL_RING_TIMEOUT: i32 = 11;
export const K_CALL_MAX_DURATION: i32 = 12;
export const K_CALL_CODECS: i32 = 13;
export const K_ANSWER_MODE: i32 = 14;
export const K_ANSWER_ALLOW: i32 = 15;
export const K_DOOR_CODE: i32 = 16;
export const K_DOOR_RELAY_MS: i32 = 17;
export const K_DOOR_CODE_TIMEOUT: i32 = 18;
export const K_AUDIO_VOLUME: i32 = 19;
export const K_RTP_PORT: i32 = 20;
export const K_LOG_LEVEL: i32 = 21;
export const COUNT: i32 = 22;

/** The schema: FIELDS words per key (data only, no start-up code). */
export const SCHEMA = memory.data<u32>([
  // key | type (| SECRET),        default,          pattern,      help,                                       min, max
  T("sip.user") | STR,              0,                0,            T("SIP user (e.g. 2000)"),                   0, 64,
  T("sip.password") | STR | SECRET, 0,                0,            T("SIP password"),                           0, 64,
  T("sip.auth_user") | STR,         0,                0,            T("auth user name; empty = sip.user"),       0, 64,
  T("sip.domain") | HOST,           0,                0,            T("registrar; empty = no registration"),     0, 128,
  T("sip.proxy") | URI,             0,                0,            T("outbound proxy (sip:10.0.0.1); empty = none"), 0, 128,
  T("sip.port") | INT,              T("5060"),        0,            T("local SIP UDP port"),                     1, 65535,
  T("sip.expires") | INT,           T("600"),         0,            T("registration interval, s"),               60, 86400,
  T("sip.display") | STR,           T("Door"),        0,            T("display name"),                           0, 64,
  T("sip.keepalive") | ENUM,        T("crlf"),        T("off|crlf|options"), T("NAT keep-alive to the registrar"), 0, 8,
  T("sip.keepalive_s") | INT,       T("30"),          0,            T("keep-alive interval, s"),                 5, 3600,
  T("button1.call") | LIST,         0,                0,            T("who button1 calls"),                      0, 256,
  T("call.ring_timeout") | INT,     T("30"),          0,            T("ring time of outgoing calls, s"),         5, 600,
  T("call.max_duration") | INT,     T("300"),         0,            T("longest call, s"),                        10, 86400,
  T("call.codecs") | ENUM,          T("pcmu,pcma"),   T("pcmu,pcma|pcma,pcmu|pcmu|pcma"), T("audio codecs by preference"), 0, 16,
  T("answer.mode") | ENUM,          T("auto"),        T("auto|off"), T("auto: answer allowed callers; off: reject all"), 0, 8,
  T("answer.allow") | LIST_ANY,     0,                0,            T("callers answered and let open the door"), 0, 256,
  T("door.code") | DTMF | SECRET,   0,                0,            T("DTMF code that opens the door (e.g. 1234#); empty = none"), 1, 16,
  T("door.relay_ms") | INT,         T("3000"),        0,            T("door relay pulse, ms"),                   100, 30000,
  T("door.code_timeout") | INT,     T("5"),           0,            T("longest pause between code digits, s"),   1, 60,
  T("audio.volume") | INT,          T("80"),          0,            T("speaker volume, %"),                      0, 100,
  T("rtp.port") | INT,              T("40000"),       T("even"),    T("local RTP port (RTCP: the next one)"),    1024, 65534,
  T("log.level") | ENUM,            T("info"),        T("error|warn|info|debug|trace"), T("log level"),          0, 8,
]);

/** Field f of key k's schema row (0 <= k < COUNT: keys come from find() or the K_* constants). */
export function field(k: i32, f: i32): u32 { return load<u32>(SCHEMA + <usize>((k * FIELDS + f) << 2)); }
/** The key's name. */
export function keyOf(k: i32): Text { return field(k, F_KEY) & 0x0fffffff; }
/** The key's type (T_*). */
export function typeOf(k: i32): i32 { return <i32>(field(k, F_KEY) >>> 28) & 7; }
/** True for keys whose value must never be shown, logged or sent in an event. */
export function isSecret(k: i32): bool { return (field(k, F_KEY) & SECRET) != 0; }

// Value storage: each key owns slotSize(k) bytes in both arenas, at a fixed offset.
const active = memory.data(SETTINGS_ARENA);
const pending = memory.data(SETTINGS_ARENA);
const offsets = memory.data(COUNT << 2);
const activeLen = memory.data(COUNT << 2);
const pendingLen = memory.data(COUNT << 2);
const activeInt = memory.data(COUNT << 2);

// @ts-ignore: decorator
@inline function at(a: usize, k: i32): usize { return a + <usize>(k << 2); }

/** Moves on every successful save; modules compare it with the value they last applied. */
export let generation: i32 = 0;

/** Bytes reserved for key k's value. */
export function slotSize(k: i32): i32 { return typeOf(k) == T_INT ? 10 : <i32>field(k, F_MAX); }

/** Lays out the arenas and loads the defaults into both copies (boot, before store.restore()). */
export function loadDefaults(): void {
  let off = 0;
  for (let k = 0; k < COUNT; k++) {
    store<i32>(at(offsets, k), off);
    off += slotSize(k);
  }
  if (off > SETTINGS_ARENA) unreachable(); // config.SETTINGS_ARENA too small for the schema
  pendingDefaults();
  commit();
}

/** Active value bytes of key k (what the firmware runs with). */
export function valuePtr(k: i32): usize { return active + <usize>load<i32>(at(offsets, k)); }
export function valueLen(k: i32): i32 { return load<i32>(at(activeLen, k)); }
/** Active value of an integer key, or the choice index of an enum key. */
export function intValue(k: i32): i32 { return load<i32>(at(activeInt, k)); }

/** Pending value bytes of key k (what `set` changed and `save` will store). */
export function pendingPtr(k: i32): usize { return pending + <usize>load<i32>(at(offsets, k)); }
export function pendingLenOf(k: i32): i32 { return load<i32>(at(pendingLen, k)); }

/** Replaces the pending value of k; the caller has validated it and checked n <= slotSize(k). */
export function setPending(k: i32, p: usize, n: i32): void {
  memory.copy(pendingPtr(k), p, <usize>n);
  store<i32>(at(pendingLen, k), n);
}

/** True when k's pending value differs from the active one. */
export function isDirty(k: i32): bool {
  return !eqBytes(pendingPtr(k), pendingLenOf(k), valuePtr(k), valueLen(k));
}

/** Makes the pending values active (after a successful save, or at boot), applies log.level and
 *  bumps generation. */
export function commit(): void {
  memory.copy(active, pending, <usize>SETTINGS_ARENA);
  memory.copy(activeLen, pendingLen, <usize>(COUNT << 2));
  for (let k = 0; k < COUNT; k++) {
    const p = valuePtr(k), n = valueLen(k), t = typeOf(k);
    // Validated values: an integer's digits always parse; other types keep 0.
    store<i32>(at(activeInt, k), t == T_ENUM ? wordIndex(p, n, field(k, F_PATTERN)) : t == T_INT ? <i32>parseU32(p, n) : 0);
  }
  log.setLevel(intValue(K_LOG_LEVEL));
  generation++;
}

/** Drops pending changes; returns how many keys had one. */
export function revert(): i32 {
  const n = dirtyCount();
  memory.copy(pending, active, <usize>SETTINGS_ARENA);
  memory.copy(pendingLen, activeLen, <usize>(COUNT << 2));
  return n;
}

/** Sets k's pending value back to its default. */
export function unset(k: i32): void {
  const d = field(k, F_DEF);
  setPending(k, textPtr(d), textLen(d));
}

/** Sets every pending value to its default (factory-reset, boot, before loading a blob). */
export function pendingDefaults(): void {
  for (let k = 0; k < COUNT; k++) unset(k);
}

/** Number of keys whose pending value differs from the active one. */
export function dirtyCount(): i32 {
  let n = 0;
  for (let k = 0; k < COUNT; k++) if (isDirty(k)) n++;
  return n;
}

/** True when key k starts with the bytes [p, p+n). */
export function keyStarts(k: i32, p: usize, n: i32): bool {
  const key = keyOf(k);
  return n <= textLen(key) && eqBytes(p, n, textPtr(key), n);
}

/** Index of the key named by the bytes, or -1. */
export function find(p: usize, n: i32): i32 {
  for (let k = 0; k < COUNT; k++) if (eqLit(p, n, keyOf(k))) return k;
  return -1;
}
