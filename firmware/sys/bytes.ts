// Bytes: the byte writer every message is built into, and the small comparisons and number
// scanners the parsers use. Protocol data stays bytes in linear memory; strings appear only as
// literals (UTF-16 in AssemblyScript), written out through str().
import * as hal from "../hal";
import { Text, textPtr, textLen } from "./text";

/** Writer.tag of a writer whose end() does nothing. */
export const NO_SINK: i32 = -2;
/** Writer.tag of the event writer: end() emits the event (whole, or not at all). */
export const EVENT_SINK: i32 = -1;

// Scratch for the digits of a number (u64: at most 20 decimal digits).
const DIGITS_CAP: usize = 20;
const DIGITS = memory.data(<i32>DIGITS_CAP);

/** Appends to a fixed buffer. On overflow it stops writing and sets `overflow`, so a builder
 *  writes a whole message and checks once at the end (the baresip mbuf way). A writer may hand
 *  its finished bytes on at end(), by its `tag`: a log level (0..4, the log line; muted when cap
 *  is 0), EVENT_SINK (an event) or NO_SINK. */
// @final with an explicit return: built over a zero-filled __new block (len 0, no overflow);
// the constructor sets only base, cap and tag.
@final export class Writer {
  len: i32 = 0;
  overflow: bool = false;
  tag: i32 = NO_SINK;
  base: usize = 0;
  cap: i32 = 0;
  constructor(base: usize, cap: i32) {
    const w = changetype<Writer>(__new(offsetof<Writer>(), idof<Writer>()));
    w.base = base;
    w.cap = cap;
    w.tag = NO_SINK;
    return w;
  }

  reset(): Writer { this.len = 0; this.overflow = false; return this; }
  get ok(): bool { return !this.overflow; }
  /** Hands the bytes to the sink. */
  end(): void {
    const t = this.tag;
    if (t == EVENT_SINK) { if (!this.overflow) hal.event_emit(this.base, this.len); }
    else if (t >= 0 && this.cap > 0) hal.log_write(t, this.base, this.len);
  }

  byte(b: i32): Writer {
    if (this.len < this.cap) { store<u8>(this.base + <usize>this.len, <u8>b); this.len++; }
    else this.overflow = true;
    return this;
  }
  bytes(ptr: usize, n: i32): Writer {
    if (n <= 0) return this;
    if (n > this.cap - this.len) { this.overflow = true; return this; }
    memory.copy(this.base + <usize>this.len, ptr, <usize>n);
    this.len += n;
    return this;
  }
  /** Writes a text (T("...")). */
  str(t: Text): Writer { return this.bytes(textPtr(t), textLen(t)); }
  crlf(): Writer { return this.byte(13).byte(10); }
  /** Unsigned decimal. */
  dec(v: u64): Writer {
    let p = DIGITS + DIGITS_CAP; // the digits backwards, then as one span (all or nothing)
    do { store<u8>(--p, <u8>(48 + <i32>(v % 10))); v /= 10; } while (v != 0);
    return this.bytes(p, <i32>(DIGITS + DIGITS_CAP - p));
  }
  /** Signed decimal. */
  int(v: i64): Writer {
    if (v < 0) { this.byte(45); return this.dec(<u64>(-v)); }
    return this.dec(<u64>v);
  }
  /** Lower-case hex, exactly `digits` (at most 16) digits. */
  hex(v: u64, digits: i32): Writer {
    let p = DIGITS + DIGITS_CAP;
    for (let i = 0; i < digits; i++) {
      const d = <i32>v & 15;
      store<u8>(--p, <u8>(d < 10 ? 48 + d : 87 + d));
      v >>= 4;
    }
    return this.bytes(p, digits);
  }
  /** Dotted IPv4 address. */
  ip4(ip: u32): Writer {
    return this.dec(ip >>> 24).byte(46).dec((ip >>> 16) & 255).byte(46).dec((ip >>> 8) & 255).byte(46).dec(ip & 255);
  }
}

/** ASCII lower case of one byte. */
// @ts-ignore: decorator
@inline export function lower(c: i32): i32 { return <u32>(c - 65) < 26 ? c | 0x20 : c; }

/** Bytes equal to an ASCII literal, case-insensitively. */
export function eqNoCase(p: usize, n: i32, lit: Text): bool {
  return eqBytesNoCase(p, n, textPtr(lit), textLen(lit));
}

/** Bytes equal to an ASCII literal exactly. */
export function eqLit(p: usize, n: i32, lit: Text): bool {
  return eqBytes(p, n, textPtr(lit), textLen(lit));
}

/** Two byte ranges equal. */
export function eqBytes(a: usize, an: i32, b: usize, bn: i32): bool {
  if (an != bn) return false;
  for (let i = 0; i < an; i++) if (load<u8>(a + <usize>i) != load<u8>(b + <usize>i)) return false;
  return true;
}

/** Two byte ranges equal, ASCII case-insensitively. */
export function eqBytesNoCase(a: usize, an: i32, b: usize, bn: i32): bool {
  if (an != bn) return false;
  for (let i = 0; i < an; i++) {
    if (lower(<i32>load<u8>(a + <usize>i)) != lower(<i32>load<u8>(b + <usize>i))) return false;
  }
  return true;
}

/** Parses an unsigned decimal of 1..10 digits that fits in u32; returns -1 when it is not one. */
export function parseU32(p: usize, n: i32): i64 {
  if (n <= 0 || n > 10) return -1;
  let v: i64 = 0;
  for (let i = 0; i < n; i++) {
    const d = <i32>load<u8>(p + <usize>i) - 48;
    if (<u32>d > 9) return -1;
    v = v * 10 + d;
  }
  return v > 0xffffffff ? -1 : v;
}

/** Index of byte b in [p, p+n), or -1. */
export function indexOf(p: usize, n: i32, b: i32): i32 {
  for (let i = 0; i < n; i++) if (<i32>load<u8>(p + <usize>i) == b) return i;
  return -1;
}

/** Parses a dotted IPv4 address; returns it as u32 in an i64, or -1. */
export function parseIp4(p: usize, n: i32): i64 {
  let ip: u32 = 0, part: i32 = -1, dots = 0;
  for (let i = 0; i < n; i++) {
    const c = <i32>load<u8>(p + <usize>i);
    if (c == 46) {
      if (part < 0 || dots == 3) return -1;
      ip = (ip << 8) | <u32>part; part = -1; dots++;
    } else if (<u32>(c - 48) <= 9) {
      part = part < 0 ? c - 48 : part * 10 + c - 48;
      if (part > 255) return -1;
    } else return -1;
  }
  if (dots != 3 || part < 0) return -1;
  return <i64>((ip << 8) | <u32>part);
}
