// SIP lexical scanning (RFC 3261 25.1 basic rules): one 256-entry class table, the line scanner
// that finds where a header field ends (folding included), and the LWS / token / quoted-string
// steps every header parser is built from. All work on absolute addresses [p, end) and never
// read at or past `end`. Inside a header value a CR or LF is always part of a fold (the line
// scanner guarantees it), so "whitespace" here is SP, HT, CR and LF: folding is handled in place.

import { E_CTL, E_BARE_CR } from "./error";
import { T, Text, textLen, textAt, textPtr } from "../sys/text";
import { eqBytesNoCase } from "../sys/bytes";

// Character classes, one bit each (a byte may be in several).
export const C_TOKEN: u32 = 0x0001;   // token: alphanum - . ! % * _ + ` ' ~
export const C_WS: u32 = 0x0002;      // SP HT CR LF
export const C_DIGIT: u32 = 0x0004;
export const C_ALPHA: u32 = 0x0008;
export const C_HEX: u32 = 0x0010;
export const C_UNRES: u32 = 0x0020;   // unreserved: alphanum - _ . ! ~ * ' ( )
export const C_WORD: u32 = 0x0040;    // Call-ID word: token chars and ( ) < > : \ " / [ ] ? { }
export const C_USER: u32 = 0x0080;    // user: unreserved & = + $ , ; ? /
export const C_PASS: u32 = 0x0100;    // password: unreserved & = + $ ,
export const C_PARAM: u32 = 0x0200;   // uri paramchar: unreserved [ ] / : & + $
export const C_HNV: u32 = 0x0400;     // uri header char: unreserved [ ] / ? : + $
export const C_URIC: u32 = 0x0800;    // absoluteURI char: unreserved reserved [ ]
export const C_HOST: u32 = 0x1000;    // hostname char: alphanum - . _
export const C_SCHEME: u32 = 0x2000;  // scheme char: alphanum + - .
export const C_GENV: u32 = 0x4000;    // unquoted generic-param value: token chars : [ ]
export const C_TEL: u32 = 0x8000;     // tel URI char: absoluteURI chars and #

const CLS = memory.data(512, 2);

function mark(chars: Text, bits: u32): void {
  for (let i = 0; i < textLen(chars); i++) {
    const a = CLS + (<usize>textAt(chars, i) << 1);
    store<u16>(a, load<u16>(a) | <u16>bits);
  }
}

function initClasses(): void {
  const alnum = C_TOKEN | C_UNRES | C_WORD | C_USER | C_PASS | C_PARAM | C_HNV | C_URIC | C_HOST | C_SCHEME | C_GENV | C_TEL;
  for (let c = 0; c < 256; c++) {
    let b: u32 = 0;
    const l = c | 32;
    if (<u32>(c - 48) < 10) b = alnum | C_DIGIT | C_HEX;
    else if (<u32>(l - 97) < 26) b = alnum | C_ALPHA | (l <= 102 ? C_HEX : 0);
    store<u16>(CLS + (<usize>c << 1), <u16>b);
  }
  mark(T(" \t\r\n"), C_WS);
  mark(T("-.!%*_+`'~"), C_TOKEN | C_WORD | C_GENV);
  mark(T("-_.!~*'()"), C_UNRES | C_USER | C_PASS | C_PARAM | C_HNV | C_URIC | C_TEL);
  mark(T("()<>:\\\"/[]?{}"), C_WORD);
  mark(T("&=+$,;?/"), C_USER);
  mark(T("&=+$,"), C_PASS);
  mark(T("[]/:&+$"), C_PARAM);
  mark(T("[]/?:+$"), C_HNV);
  mark(T(";/?:@&=+$,[]"), C_URIC | C_TEL);
  mark(T("#"), C_TEL);
  mark(T("-._"), C_HOST);
  mark(T("+-."), C_SCHEME);
  mark(T(":[]"), C_GENV);
}
initClasses();

/** The class bits of byte c (a call: the scanning loops below read the table directly). */
export function cls(c: u32): u32 { return <u32>load<u16>(CLS + (<usize>c << 1)); }

/** The class bits of the byte at p, inline (for the hot loops). */
// @ts-ignore: decorator
@inline export function clsAt(p: usize): u32 { return <u32>load<u16>(CLS + (<usize>load<u8>(p) << 1)); }

/** Value of a hex digit byte, or -1. */
export function hexVal(c: i32): i32 {
  if (<u32>(c - 48) < 10) return c - 48;
  const l = c | 32;
  if (<u32>(l - 97) < 6) return l - 87;
  return -1;
}

// ---- lines

/** Error from the last scanLine: 0, E_CTL or E_BARE_CR. */
export let lineErr: i32 = 0;

/**
 * Position of the LF that ends the line starting at p, or `end` when the datagram ends first.
 * With `fold`, an LF followed by SP or HT continues the line (RFC 3261 7.3.1). A line may end in
 * CRLF or a bare LF; a CR elsewhere, or a control byte other than HT that is not escaped by a
 * backslash (a quoted-pair), sets lineErr to E_BARE_CR or E_CTL (the scan still finds the end, so
 * parsing can go on).
 * Bytes >= 0x20 are skipped eight at a time (SWAR): ~1.5 wasm instructions per byte here.
 */
export function scanLine(p: usize, end: usize, fold: bool): usize {
  const start = p;
  lineErr = 0;
  while (p < end) {
    // the first byte < 0x20 in each 8-byte word: its flag is the lowest one set (borrows only
    // make false flags above a true one), so ctz finds it without a byte loop
    while (p + 8 <= end) {
      const w = load<u64>(p);
      const t = (w - 0x2020202020202020) & ~w & 0x8080808080808080;
      if (t != 0) { p += <usize>(ctz(t) >> 3); break; }
      p += 8;
    }
    while (p < end && load<u8>(p) >= 0x20) p++;
    if (p >= end) break;
    let c = <u32>load<u8>(p);
    if (c == 13) {
      if (p + 1 < end && load<u8>(p + 1) == 10) { c = 10; p++; }
      else if (lineErr == 0) lineErr = E_BARE_CR;
    }
    if (c == 10) {
      if (!fold || p + 1 >= end) return p;
      const n = <u32>load<u8>(p + 1);
      if (n != 32 && n != 9) return p;
      p++;
    } else if (c != 9 && c != 13 && (p == start || load<u8>(p - 1) != 92) && lineErr == 0) lineErr = E_CTL;
    p++;
  }
  return end;
}

// ---- tokens inside a value

/** Skips SP, HT and folds (CR, LF) from p; returns the first other position or end. */
export function skipWs(p: usize, end: usize): usize {
  while (p < end && (clsAt(p) & C_WS) != 0) p++;
  return p;
}

/** Steps back over whitespace before end, not below start. */
export function trimEnd(start: usize, end: usize): usize {
  while (end > start && (clsAt(end - 1) & C_WS) != 0) end--;
  return end;
}

/** Skips bytes of the given classes; returns the first byte not in them (or end). */
export function skipClass(p: usize, end: usize, bits: u32): usize {
  while (p < end && (clsAt(p) & bits) != 0) p++;
  return p;
}

/** The byte at p is c (p < end). */
export function at(p: usize, end: usize, c: i32): bool { return p < end && <i32>load<u8>(p) == c; }

/** Position of the first byte c in [p, end), or end. */
export function find(p: usize, end: usize, c: i32): usize {
  while (p < end && <i32>load<u8>(p) != c) p++;
  return p;
}

/** Index of the word [p, p+n) in a space-separated list of ASCII words, ignoring case; -1 when
 *  it is none of them. */
export function wordIndex(p: usize, n: i32, words: Text): i32 {
  const w = textPtr(words), len = textLen(words);
  let i = 0, k = 0;
  while (i < len) {
    let e = i;
    while (e < len && load<u8>(w + <usize>e) != 32) e++;
    if (eqBytesNoCase(p, n, w + <usize>i, e - i)) return k;
    i = e + 1; k++;
  }
  return -1;
}

/** Position after one valid UTF-8 multi-byte character at p (lead byte >= 0x80), or 0: no
 *  overlong forms, no surrogates, nothing above U+10FFFF. */
export function utf8Char(p: usize, end: usize): usize {
  const c = <u32>load<u8>(p);
  if (c < 0xc2 || c > 0xf4) return 0;
  const n: usize = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
  if (p + n >= end) return 0;
  let v = c & (0x3f >> <u32>n);
  for (let i: usize = 1; i <= n; i++) {
    const t = <u32>load<u8>(p + i);
    if ((t & 0xc0) != 0x80) return 0;
    v = (v << 6) | (t & 0x3f);
  }
  if (v < (n == 1 ? 0x80 : n == 2 ? <u32>0x800 : 0x10000) || v > 0x10ffff || v - 0xd800 < 0x800) return 0;
  return p + n + 1;
}

/**
 * p at a DQUOTE: returns the position after the closing DQUOTE, or 0 when the string is not
 * terminated or holds a byte a quoted-string may not (RFC 3261 25.1: qdtext is LWS, printable
 * ASCII but " and \, and valid UTF-8; quoted-pair is \ and any byte but CR and LF).
 */
export function skipQuoted(p: usize, end: usize): usize {
  p++;
  while (p < end) {
    const c = <u32>load<u8>(p);
    if (c == 34) return p + 1;
    if (c == 92) {
      if (p + 1 >= end) return 0;
      const e = <u32>load<u8>(p + 1);
      if (e == 13 || e == 10 || e > 0x7f) return 0;
      p += 2;
    } else if (c >= 0x80) {
      p = utf8Char(p, end);
      if (p == 0) return 0;
    } else if (c < 0x20 && (cls(c) & C_WS) == 0) {
      return 0;
    } else p++;
  }
  return 0;
}

/**
 * Skips bytes of class `bits` and %HEX escapes; returns the first other position, or 0 when a
 * '%' is not followed by two hex digits.
 */
export function skipEscaped(p: usize, end: usize, bits: u32): usize {
  while (p < end) {
    if ((clsAt(p) & bits) != 0) { p++; continue; }
    if (load<u8>(p) != 37) return p;
    if (p + 2 >= end || (cls(load<u8>(p + 1)) & cls(load<u8>(p + 2)) & C_HEX) == 0) return 0;
    p += 3;
  }
  return p;
}

/** Expires value of a malformed or overlarge delta-seconds (RFC 3261 20.19, 10.2.1.1). */
export const EXPIRES_DEFAULT: i32 = 3600;

/** delta-seconds [p, end) (RFC 3261 20.19): the value, capped at 2^31-1; EXPIRES_DEFAULT when it is
 *  not 1*DIGIT or above 2^32-1. */
export function deltaSeconds(p: usize, e: usize): i32 {
  const v = digits(p, e);
  if (<u64>v > 0xffffffff) return EXPIRES_DEFAULT;
  return capped(v);
}

/** A digits() result capped at 2^31-1 (-1 stays -1). */
export function capped(v: i64): i32 { return v > 0x7fffffff ? 0x7fffffff : <i32>v; }

/** Parses 1*DIGIT filling [p, end); -1 when it is not that. Values above 2^32-1 come back as 2^32. */
export function digits(p: usize, end: usize): i64 {
  if (p >= end) return -1;
  let v: u64 = 0;
  while (p < end) {
    const d = <u32>load<u8>(p) - 48;
    if (d > 9) return -1;
    v = v * 10 + d;
    if (v > 0xffffffff) v = 0x100000000;
    p++;
  }
  return <i64>v;
}

/** The value after `port` (see below). */
export let portValue: i32 = 0;

/** p at a ':': reads the port after it (1..65535) into portValue; returns the position after
 *  the digits, or 0 when there are none or the value is out of range. */
export function port(p: usize, end: usize): usize {
  const q = skipClass(p + 1, end, C_DIGIT);
  const v = digits(p + 1, q);
  if (v <= 0 || v > 65535) return 0;
  portValue = <i32>v;
  return q;
}

/** A byte range of a message: offset from the message's base and length; len 0 = absent/empty. */
// The setters store straight into the fields (off at +0, len at +4): under -Oz binaryen keeps
// field accessors as calls, which the interpreter pays for on every span of every message.
// Unmanaged: the spans of one parsed object live in one block (spanFields), cleared at once.
@unmanaged export class Span {
  off: i32 = 0;
  len: i32 = 0;
  set(off: i32, len: i32): Span {
    const a = changetype<usize>(this);
    store<i32>(a, off); store<i32>(a, len, 4);
    return this;
  }
  /** Sets from absolute addresses [p, e) over a message at base. */
  setAbs(base: usize, p: usize, e: usize): Span { return this.set(<i32>(p - base), <i32>(e - p)); }
  // @ts-ignore: decorator
  @inline clear(): void { store<u64>(changetype<usize>(this), 0); }
  /** Copies another span. */
  // @ts-ignore: decorator
  @inline copy(s: Span): void { store<u64>(changetype<usize>(this), load<u64>(changetype<usize>(s))); }
  get end(): i32 { return this.off + this.len; }
}

/**
 * Start-up: points the last n fields of object obj (size bytes: offsetof<T>()), which must be
 * Span fields, to n zeroed spans in one block, and returns the block, so that one memory.fill
 * clears them all.
 */
export function spanFields(obj: usize, size: usize, n: i32): usize {
  const blk = heap.alloc(<usize>n << 3);
  memory.fill(blk, 0, <usize>n << 3);
  for (let i = 0; i < n; i++) store<usize>(obj + size - (<usize>(n - i) << 2), blk + (<usize>i << 3));
  return blk;
}
