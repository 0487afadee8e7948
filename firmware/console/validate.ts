// Validation of setting values by type (the schema in settings.ts): decides whether bytes may be
// stored under a key, normalises them (integers without leading zeros, enum choices in their
// canonical spelling, list items without surrounding spaces, DTMF digits upper case) and says
// clearly what is wrong. Used by `set` and by the store when it loads a blob. Error texts never
// contain the value itself (it may be a secret).
import { Writer } from "../sys/bytes";
import { schema, T_STR, T_INT, T_ENUM, T_HOST, T_LIST, T_DTMF, choiceIndex, choiceCopy } from "./settings";
import { SYN_OK, SYN_HOST, SYN_IP, SYN_PORT, SYN_SCHEME, SYN_USER, hostPort, sipUri, schemeLen, isUser } from "./syntax";
import { T } from "../sys/text";

/** Checks the value [p, p+n) for key k. On success writes the normalised value to `norm` (room
 *  for slotSize(k) bytes) and returns its length. On failure writes the reason (without the
 *  "error: " prefix) into `err` and returns -1; nothing else changes. */
export function check(k: i32, p: usize, n: i32, norm: usize, err: Writer): i32 {
  const s = schema(k);
  const t = s.type;
  if (t == T_INT) return checkInt(k, p, n, norm, err);
  if (t == T_ENUM) {
    const idx = choiceIndex(k, p, n);
    if (idx < 0) { err.str(s.key).str(T(" must be one of ")).str(s.pattern); return -1; }
    return choiceCopy(k, idx, norm);
  }
  if (t == T_DTMF) return checkDtmf(k, p, n, norm, err);
  if (t == T_LIST) return checkList(k, p, n, norm, err);
  // T_STR, T_HOST, T_URI: stored as given
  if (n > s.max) { err.str(s.key).str(T(" is longer than ")).dec(s.max).str(T(" bytes")); return -1; }
  if (t == T_STR) {
    const r = textCheck(p, n);
    if (r == 1) { err.str(s.key).str(T(" must not contain control characters")); return -1; }
    if (r == 2) { err.str(s.key).str(T(" is not valid UTF-8")); return -1; }
  } else if (n > 0) {
    const r = t == T_HOST ? hostPort(p, n) : sipUri(p, n);
    if (r != SYN_OK) { syntaxError(err.str(s.key), r); return -1; }
  }
  memory.copy(norm, p, <usize>n);
  return n;
}

/** Writes ": <what is wrong>" (or " must be ...") after the key. */
function syntaxError(w: Writer, r: i32): void {
  if (r == SYN_PORT) w.str(T(": port must be 1..65535"));
  else if (r == SYN_IP) w.str(T(": invalid IPv4 address"));
  else if (r == SYN_HOST) w.str(T(": invalid host name"));
  else if (r == SYN_SCHEME) w.str(T(" must be a sip: or sips: URI"));
  else if (r == SYN_USER) w.str(T(": invalid user part"));
  else w.str(T(": invalid URI parameter"));
}

function checkInt(k: i32, p: usize, n: i32, norm: usize, err: Writer): i32 {
  const s = schema(k);
  let v: i64 = -1;
  if (n > 0 && n <= 10) {
    v = 0;
    for (let i = 0; i < n; i++) {
      const d = <i32>load<u8>(p + <usize>i) - 48;
      if (<u32>d > 9) { v = -1; break; }
      v = v * 10 + d;
    }
  }
  if (v < <i64>s.min || v > <i64>s.max) {
    err.str(s.key).str(T(" must be ")).dec(s.min).str(T("..")).dec(s.max);
    return -1;
  }
  if ((v & 1) != 0 && s.pattern == T("even")) { err.str(s.key).str(T(" must be even")); return -1; }
  // normalised: plain decimal
  let len = 1;
  for (let t = v; t >= 10; t /= 10) len++;
  for (let i = len - 1; i >= 0; i--) { store<u8>(norm + <usize>i, <u8>(48 + <i32>(v % 10))); v /= 10; }
  return len;
}

function checkDtmf(k: i32, p: usize, n: i32, norm: usize, err: Writer): i32 {
  const s = schema(k);
  let ok = n <= s.max;
  for (let i = 0; ok && i < n; i++) {
    let c = <i32>load<u8>(p + <usize>i);
    if (<u32>(c - 97) < 4) c -= 32; // a-d
    if (!(<u32>(c - 48) < 10 || c == 42 || c == 35 || <u32>(c - 65) < 4)) ok = false;
    else store<u8>(norm + <usize>i, <u8>c);
  }
  if (!ok) { err.str(s.key).str(T(" must be 1..")).dec(s.max).str(T(" of 0-9 * # A-D")); return -1; }
  return n;
}

/** Comma-separated items, each a SIP URI, a user part / number, or (where the pattern has "*")
 *  `*` alone. Spaces around items are dropped. */
function checkList(k: i32, p: usize, n: i32, norm: usize, err: Writer): i32 {
  const s = schema(k);
  const star = s.pattern == T("*");
  const cap = s.max;
  let o = 0, item = 0, i = 0;
  // trim the whole value; empty = no items
  while (n > 0 && load<u8>(p + <usize>(n - 1)) == 32) n--;
  while (i < n && load<u8>(p + <usize>i) == 32) i++;
  if (i == n) return 0;
  while (i <= n) {
    let e = i;
    while (e < n && load<u8>(p + <usize>e) != 44) e++;
    let a = i, b = e;
    while (a < b && load<u8>(p + <usize>a) == 32) a++;
    while (b > a && load<u8>(p + <usize>(b - 1)) == 32) b--;
    item++;
    const q = p + <usize>a, m = b - a;
    if (m == 0) { err.str(s.key).str(T(": item ")).dec(item).str(T(" is empty")); return -1; }
    if (schemeLen(q, m) > 0) {
      const r = sipUri(q, m);
      if (r != SYN_OK) { syntaxError(err.str(s.key).str(T(": item ")).dec(item), r); return -1; }
    } else if (m == 1 && load<u8>(q) == 42) {
      if (!star) { err.str(s.key).str(T(": item ")).dec(item).str(T(": * is not allowed here")); return -1; }
    } else if (!isUser(q, m)) {
      err.str(s.key).str(T(": item ")).dec(item).str(T(" must be a SIP URI, a number or a user part"));
      return -1;
    }
    const add = m + (o > 0 ? 1 : 0);
    if (o + add > cap) { err.str(s.key).str(T(" is longer than ")).dec(cap).str(T(" bytes")); return -1; }
    if (o > 0) { store<u8>(norm + <usize>o, 44); o++; }
    memory.copy(norm + <usize>o, q, <usize>m);
    o += m;
    i = e + 1;
  }
  return o;
}

/** Free text: 0 when [p, p+n) is well-formed UTF-8 (RFC 3629 section 4: no overlong forms, no
 *  surrogates, at most U+10FFFF) without control characters (C0, DEL, C1); 1 when it has a
 *  control character; 2 when it is not UTF-8. */
export function textCheck(p: usize, n: i32): i32 {
  let i = 0;
  while (i < n) {
    const c = <i32>load<u8>(p + <usize>i);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) return 1;
      i++;
      continue;
    }
    let len = 0, cp = 0, lo = 0;
    if (c >= 0xc2 && c <= 0xdf) { len = 2; cp = c & 0x1f; lo = 0x80; }
    else if (c >= 0xe0 && c <= 0xef) { len = 3; cp = c & 0x0f; lo = 0x800; }
    else if (c >= 0xf0 && c <= 0xf4) { len = 4; cp = c & 0x07; lo = 0x10000; }
    else return 2;
    if (i + len > n) return 2;
    for (let j = 1; j < len; j++) {
      const d = <i32>load<u8>(p + <usize>(i + j));
      if ((d & 0xc0) != 0x80) return 2;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < lo || cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000)) return 2;
    if (cp < 0xa0) return 1; // C1 controls U+0080..U+009F
    i += len;
  }
  return 0;
}
