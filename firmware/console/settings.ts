// The settings: one typed schema table (key, type, default, range or pattern, secret, help) and
// the values. Two copies of every value: `active` (what the firmware runs with, loaded from kv at
// boot and replaced by `save`) and `pending` (what `set` changes; `revert` copies active back).
// Values are bytes (UTF-8); integers (and the choice index of enums) are also kept parsed.
// Validation lives in validate.ts, the kv blob in store.ts, the commands in commands.ts.
//
// Other modules read active values only, through valuePtr/valueLen/intValue, and notice a
// saved change when `generation` moves.
import { SETTINGS_ARENA } from "../config";
import * as log from "../sys/log";
import { lower } from "../sys/bytes";
import { T, Text, textLen, textAt, textPtr } from "../sys/text";

export const T_STR: i32 = 0;   // free text up to max bytes (printable, no control characters)
export const T_INT: i32 = 1;   // decimal in [min, max] ("even" in pattern: even numbers only)
export const T_ENUM: i32 = 2;  // one of the '|'-separated choices in `pattern`
export const T_HOST: i32 = 3;  // host[:port]: a name or dotted IPv4, optional port 1..65535
export const T_URI: i32 = 4;   // a SIP URI (sip:...) or empty
export const T_LIST: i32 = 5;  // comma-separated call targets: SIP URIs, user parts or numbers ("*" in pattern: `*` = any)
export const T_DTMF: i32 = 6;  // 1..16 of 0-9 * # A-D

export class Setting {
  constructor(
    public key: Text,
    public type: i32,
    public def: Text,
    public min: i32,
    public max: i32,       // T_INT: largest value; other types: largest length in bytes
    public pattern: Text,
    public secret: bool,
    public help: Text,
  ) {}
}

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

export const SCHEMA: StaticArray<Setting> = [
  new Setting(T("sip.user"), T_STR, T(""), 0, 64, T(""), false, T("SIP account user part (e.g. 2000)")),
  new Setting(T("sip.password"), T_STR, T(""), 0, 64, T(""), true, T("SIP account password (secret)")),
  new Setting(T("sip.auth_user"), T_STR, T(""), 0, 64, T(""), false, T("digest auth user name; empty = sip.user")),
  new Setting(T("sip.domain"), T_HOST, T(""), 0, 128, T(""), false, T("registrar / SIP domain, host[:port]; empty = no registration (peer to peer)")),
  new Setting(T("sip.proxy"), T_URI, T(""), 0, 128, T(""), false, T("outbound proxy URI, e.g. sip:10.0.0.1:5060; empty = none")),
  new Setting(T("sip.port"), T_INT, T("5060"), 1, 65535, T(""), false, T("local SIP UDP port")),
  new Setting(T("sip.expires"), T_INT, T("600"), 60, 86400, T(""), false, T("registration interval in seconds")),
  new Setting(T("sip.display"), T_STR, T("Door"), 0, 64, T(""), false, T("display name in From")),
  new Setting(T("sip.keepalive"), T_ENUM, T("crlf"), 0, 8, T("off|crlf|options"), false, T("NAT keep-alive to the registrar: off, crlf or options")),
  new Setting(T("sip.keepalive_s"), T_INT, T("30"), 5, 3600, T(""), false, T("keep-alive interval in seconds")),
  new Setting(T("button1.call"), T_LIST, T(""), 0, 256, T(""), false, T("who button1 calls: comma-separated SIP URIs or numbers")),
  new Setting(T("call.ring_timeout"), T_INT, T("30"), 5, 600, T(""), false, T("seconds an outgoing call may ring before it is cancelled")),
  new Setting(T("call.max_duration"), T_INT, T("300"), 10, 86400, T(""), false, T("longest call in seconds")),
  new Setting(T("call.codecs"), T_ENUM, T("pcmu,pcma"), 0, 16, T("pcmu,pcma|pcma,pcmu|pcmu|pcma"), false, T("audio codecs in order of preference")),
  new Setting(T("answer.mode"), T_ENUM, T("auto"), 0, 8, T("auto|off"), false, T("incoming calls: auto = answer allowed callers, off = reject all")),
  new Setting(T("answer.allow"), T_LIST, T(""), 0, 256, T("*"), false, T("callers to auto-answer and let open the door: user parts or SIP URIs, * = any")),
  new Setting(T("door.code"), T_DTMF, T(""), 0, 16, T(""), true, T("DTMF code that opens the door, e.g. 1234#; empty = never by DTMF (secret)")),
  new Setting(T("door.relay_ms"), T_INT, T("3000"), 100, 30000, T(""), false, T("door relay pulse length in ms")),
  new Setting(T("door.code_timeout"), T_INT, T("5"), 1, 60, T(""), false, T("seconds between DTMF digits before the code entry restarts")),
  new Setting(T("audio.volume"), T_INT, T("80"), 0, 100, T(""), false, T("speaker volume in percent")),
  new Setting(T("rtp.port"), T_INT, T("40000"), 1024, 65534, T("even"), false, T("local RTP port (even; RTCP uses the next one)")),
  new Setting(T("log.level"), T_ENUM, T("info"), 0, 8, T("error|warn|info|debug|trace"), false, T("log level")),
];

export const COUNT: i32 = SCHEMA.length;

/** The schema entry of key k (0 <= k < COUNT: keys come from find() or the K_* constants). */
// @ts-ignore: decorator
@inline export function schema(k: i32): Setting { return unchecked(SCHEMA[k]); }

// Value storage: each key owns `max` bytes (T_INT: 11) in both arenas, at a fixed offset.
const active = memory.data(SETTINGS_ARENA);
const pending = memory.data(SETTINGS_ARENA);
const offsets = new StaticArray<i32>(COUNT);
const activeLen = new StaticArray<i32>(COUNT);
const pendingLen = new StaticArray<i32>(COUNT);
const activeInt = new StaticArray<i32>(COUNT);

/** Moves on every successful save; modules compare it with the value they last applied. */
export let generation: i32 = 0;


/** Bytes reserved for key k's value. */
export function slotSize(k: i32): i32 {
  const s = schema(k);
  return s.type == T_INT ? 11 : s.max;
}

/** Lays out the arenas and loads the defaults into both copies (boot, before store.restore()). */
export function loadDefaults(): void {
  let off = 0;
  for (let k = 0; k < COUNT; k++) {
    offsets[k] = off;
    off += slotSize(k);
  }
  if (off > SETTINGS_ARENA) unreachable(); // config.SETTINGS_ARENA too small for the schema
  for (let k = 0; k < COUNT; k++) {
    const d = schema(k).def;
    setPendingStr(k, d);
  }
  commit();
}

function setPendingStr(k: i32, s: Text): void {
  const n = textLen(s) < slotSize(k) ? textLen(s) : slotSize(k);
  memory.copy(pending + <usize>offsets[k], textPtr(s), <usize>n);
  pendingLen[k] = n;
}

/** Active value bytes of key k (what the firmware runs with). */
export function valuePtr(k: i32): usize { return active + <usize>offsets[k]; }
export function valueLen(k: i32): i32 { return activeLen[k]; }
/** Active value of an integer key. */
export function intValue(k: i32): i32 { return activeInt[k]; }

/** Pending value bytes of key k (what `set` changed and `save` will store). */
export function pendingPtr(k: i32): usize { return pending + <usize>offsets[k]; }
export function pendingLenOf(k: i32): i32 { return pendingLen[k]; }

/** Replaces the pending value of k; the caller has validated it and checked n <= slotSize(k). */
export function setPending(k: i32, p: usize, n: i32): void {
  memory.copy(pending + <usize>offsets[k], p, <usize>n);
  pendingLen[k] = n;
}

/** True when k's pending value differs from the active one. */
export function isDirty(k: i32): bool {
  const n = pendingLen[k];
  return n != activeLen[k] || memory.compare(pending + <usize>offsets[k], active + <usize>offsets[k], <usize>n) != 0;
}

/** Makes the pending values active (after a successful save, or at boot), applies log.level and
 *  bumps generation. */
export function commit(): void {
  memory.copy(active, pending, <usize>SETTINGS_ARENA);
  for (let k = 0; k < COUNT; k++) {
    const n = pendingLen[k];
    activeLen[k] = n;
    const t = schema(k).type;
    if (t == T_INT) activeInt[k] = parseInt(active + <usize>offsets[k], n);
    else if (t == T_ENUM) activeInt[k] = choiceIndex(k, active + <usize>offsets[k], n);
  }
  log.setLevel(activeInt[K_LOG_LEVEL]);
  generation++;
}

/** Drops pending changes; returns how many keys had one. */
export function revert(): i32 {
  const n = dirtyCount();
  memory.copy(pending, active, <usize>SETTINGS_ARENA);
  for (let k = 0; k < COUNT; k++) pendingLen[k] = activeLen[k];
  return n;
}

/** Sets k's pending value back to its default. */
export function unset(k: i32): void { setPendingStr(k, schema(k).def); }

/** Sets every pending value to its default (factory-reset, before the reboot). */
export function pendingDefaults(): void {
  for (let k = 0; k < COUNT; k++) setPendingStr(k, schema(k).def);
}

/** Number of keys whose pending value differs from the active one. */
export function dirtyCount(): i32 {
  let n = 0;
  for (let k = 0; k < COUNT; k++) if (isDirty(k)) n++;
  return n;
}

/** True for keys whose value must never be shown, logged or sent in an event. */
export function isSecret(k: i32): bool { return schema(k).secret; }

/** Index of the bytes among k's '|'-separated choices (ASCII case-insensitive), or -1. */
export function choiceIndex(k: i32, p: usize, n: i32): i32 {
  const pat = schema(k).pattern;
  const m = textLen(pat);
  let start = 0, idx = 0;
  for (let i = 0; i <= m; i++) {
    if (i < m && textAt(pat, i) != 124) continue;
    if (i - start == n) {
      let j = 0;
      while (j < n && lower(<i32>load<u8>(p + <usize>j)) == textAt(pat, start + j)) j++;
      if (j == n) return idx;
    }
    start = i + 1;
    idx++;
  }
  return -1;
}

/** Writes choice `idx` of k's pattern as bytes to dst; returns its length (0 when out of range). */
export function choiceCopy(k: i32, idx: i32, dst: usize): i32 {
  const pat = schema(k).pattern;
  const m = textLen(pat);
  let start = 0, cur = 0;
  for (let i = 0; i <= m; i++) {
    if (i < m && textAt(pat, i) != 124) continue;
    if (cur == idx) {
      for (let j = start; j < i; j++) store<u8>(dst + <usize>(j - start), <u8>textAt(pat, j));
      return i - start;
    }
    start = i + 1;
    cur++;
  }
  return 0;
}

/** True when key k starts with the bytes [p, p+n). */
export function keyStarts(k: i32, p: usize, n: i32): bool {
  const key = schema(k).key;
  if (n > textLen(key)) return false;
  for (let i = 0; i < n; i++) if (<i32>load<u8>(p + <usize>i) != <i32>textAt(key, i)) return false;
  return true;
}

/** Index of the key named by the bytes, or -1. */
export function find(p: usize, n: i32): i32 {
  for (let k = 0; k < COUNT; k++) {
    const key = schema(k).key;
    if (textLen(key) != n) continue;
    let i = 0;
    while (i < n && <i32>load<u8>(p + <usize>i) == <i32>textAt(key, i)) i++;
    if (i == n) return k;
  }
  return -1;
}

function parseInt(p: usize, n: i32): i32 {
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 10 + (<i32>load<u8>(p + <usize>i) - 48);
  return v;
}
