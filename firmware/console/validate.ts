// Validation of setting values by type (the schema in settings.ts): decides whether bytes may be
// stored under a key, normalises them (integers without leading zeros, enum choices in their
// canonical spelling, list items without surrounding spaces, DTMF digits upper case) and says
// what is wrong. Addresses are checked by the SIP layer's own URI parser (firmware/sip/uri.ts,
// RFC 3261 19.1), so a value is accepted exactly when the SIP stack can use it. Used by `set` and
// by the store when it loads a blob. Error texts never contain the value (it may be a secret).
import { Writer, indexOf, parseU32 } from "../sys/bytes";
import { wordIndex, wordAt } from "../sys/words";
import { parseUri, scratch } from "../sip/uri";
import { rest, tp, tn } from "./line";
import {
  field, keyOf, typeOf, F_PATTERN, F_MIN, F_MAX, T_STR, T_INT, T_ENUM, T_HOST, T_LIST, T_LIST_ANY, T_DTMF,
} from "./settings";
import { T, Text, textPtr, textLen } from "../sys/text";

/** Longest value of any key (the lists). */
const NORM_CAP: i32 = 256;
/** The normalised value of the last successful check(). */
export const norm = memory.data(NORM_CAP);
const nw = new Writer(norm, NORM_CAP);

// The URI parser fills sip/uri's scratch object (passed explicitly: cheaper than its default
// argument); nothing here reads it back.
// "sip:" + a value + a suffix, for the URI parser.
const WRAP_CAP: i32 = NORM_CAP + 8;
const wrap = new Writer(memory.data(WRAP_CAP), WRAP_CAP);

/** Checks the value [p, p+n) for key k. On success writes the normalised value to `norm` and
 *  returns its length. On failure writes the reason (the key and what is wrong, without the
 *  "error: " prefix) into `err` and returns -1; nothing else changes. */
export function check(k: i32, p: usize, n: i32, err: Writer): i32 {
  const t = typeOf(k);
  const pat: Text = field(k, F_PATTERN);
  const max = <i32>field(k, F_MAX);
  let bad: Text = 0; // what is wrong, after the key
  nw.reset();
  if (t == T_INT || t == T_DTMF) {
    // T_INT: the number (9 digits at most: no i32 overflow), -1 when it is none; T_DTMF: -1
    // when a digit is not one.
    let v = t == T_DTMF ? 0 : n <= 9 ? <i32>parseU32(p, n) : -1;
    if (t == T_DTMF) for (let i = 0; i < n; i++) {
      let c = <i32>load<u8>(p + <usize>i);
      if (<u32>(c - 97) < 4) c -= 32; // a-d
      if (!(<u32>(c - 48) < 10 || c == 42 || c == 35 || <u32>(c - 65) < 4)) v = -1;
      nw.byte(c);
    }
    if (t == T_INT && v >= <i32>field(k, F_MIN) && v <= max) {
      if ((v & 1) != 0 && pat == T("even")) bad = T(" must be even");
      else nw.dec(<u64>v);
    } else if (t == T_INT || v < 0 || n > max) {
      reason(err, k, T(" must be ")).dec(field(k, F_MIN)).str(T("..")).dec(<u64>max);
      if (t == T_DTMF) err.str(T(" of 0-9 * # A-D"));
      return -1;
    }
  } else if (t == T_ENUM) {
    const i = wordIndex(p, n, pat);
    if (i < 0) {
      reason(err, k, T(" must be one of ")).str(pat);
      return -1;
    }
    nw.str(wordAt(pat, i));
  } else if (t >= T_LIST && t <= T_LIST_ANY) {
    return list(k, p, n, err, t == T_LIST_ANY);
  } else if (n > max) {
    return tooLong(k, err);
  } else {
    if (t == T_STR ? !textOk(p, n) : n > 0 && !(t == T_HOST ? hostOk(p, n) : sipUri(p, n))) {
      bad = t == T_STR ? T(" must be UTF-8 text without control characters")
        : t == T_HOST ? T(" must be host[:port]") : T(" must be a sip: or sips: URI");
    }
    nw.bytes(p, n);
  }
  if (bad != 0) {
    reason(err, k, bad);
    return -1;
  }
  return nw.len;
}

/** Starts a reason: the key, then what is wrong. */
function reason(err: Writer, k: i32, what: Text): Writer { return err.str(keyOf(k)).str(what); }

function tooLong(k: i32, err: Writer): i32 {
  reason(err, k, T(" is longer than ")).dec(field(k, F_MAX)).str(T(" bytes"));
  return -1;
}

/** Comma-separated items, each a SIP URI, a user part / number, or (star) `*` alone. Spaces
 *  around items are dropped. */
function list(k: i32, p: usize, n: i32, err: Writer, star: bool): i32 {
  let i = 0, item = 0;
  rest(p, n, 0); // without spaces around the whole (the items lose theirs below)
  p = tp;
  n = tn;
  if (n == 0) return 0; // no items
  while (i <= n) {
    let e = i;
    while (e < n && load<u8>(p + <usize>e) != 44) e++;
    rest(p, e, i); // the item without spaces around it
    const q = tp, m = tn;
    item++;
    if (!(m == 1 && load<u8>(q) == 42 ? star : sipUri(q, m) || indexOf(q, m, 58) < 0 && wrapped(q, m, T("@h")))) {
      reason(err, k, T(": item ")).dec(<u64>item).str(T(" is not a number, user or SIP URI"));
      return -1;
    }
    if (nw.len > 0) nw.byte(44);
    nw.bytes(q, m);
    if (nw.overflow || nw.len > <i32>field(k, F_MAX)) return tooLong(k, err);
    i = e + 1;
  }
  return nw.len;
}

/** A sip: or sips: URI (RFC 3261 19.1.1). */
function sipUri(p: usize, n: i32): bool {
  const c = indexOf(p, n, 58);
  return c > 0 && wordIndex(p, c, T("sip|sips")) >= 0 && parseUri(p, 0, n, scratch);
}

/** host[:port]: what the URI parser takes after "sip:", without user, parameters, headers or
 *  IPv6 brackets. */
function hostOk(p: usize, n: i32): bool {
  for (let i = 0; i < n; i++) {
    const c = load<u8>(p + <usize>i);
    if (c == 64 || c == 59 || c == 63 || c == 91) return false;
  }
  return wrapped(p, n, 0);
}

/** True when "sip:" + [p, p+n) + suffix is a SIP URI. */
function wrapped(p: usize, n: i32, suffix: Text): bool {
  wrap.reset().str(T("sip:")).bytes(p, n).str(suffix);
  return wrap.ok && parseUri(wrap.base, 0, wrap.len, scratch);
}

// The smallest code point of a UTF-8 sequence by its number of leading one bits: 0x20 for
// ASCII (no C0 controls), 0xa0 for two bytes (no overlong forms, no C1 controls), then 0x800 and
// 0x10000 (no overlong forms).
const LOWEST = memory.data<u32>([0x20, 0, 0xa0, 0x800, 0x10000]);

/** Free text: true when [p, p+n) is well-formed UTF-8 (RFC 3629 section 4: no overlong forms,
 *  no surrogates, at most U+10FFFF) without control characters (C0, DEL, C1). */
export function textOk(p: usize, n: i32): bool {
  let i = 0;
  while (i < n) {
    const c = <u32>load<u8>(p + <usize>(i++));
    const ones = clz(~(c << 24)); // 0 ASCII, 1 a continuation byte, 2..4 a lead byte
    if (ones == 1 || ones > 4) return false;
    let cp = c & (0x7f >> ones);
    for (let j: u32 = 1; j < ones; j++) {
      const d = i < n ? <u32>load<u8>(p + <usize>(i++)) : 0;
      if ((d & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < load<u32>(LOWEST + (<usize>ones << 2)) || cp == 0x7f || cp > 0x10ffff || cp - 0xd800 < 0x800) return false;
  }
  return true;
}
