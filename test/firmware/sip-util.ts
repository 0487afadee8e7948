// Helpers for the SIP specs: messages from text (LF becomes CRLF) or fixture files, kept alive
// while a SipMsg points into them, and spans read back as strings.
import { SipMsg, Span } from "../../firmware/sip/msg";
import { loadFile } from "./fixture";

let keep: ArrayBuffer[] = [];

/** Bytes of s (UTF-8) with every LF turned into CRLF, kept alive for the rest of the spec. */
export function crlf(s: string): ArrayBuffer {
  const b = String.UTF8.encode(s.replaceAll("\n", "\r\n"));
  keep.push(b);
  return b;
}

/** Raw UTF-8 bytes of s, kept alive. */
export function raw(s: string): ArrayBuffer {
  const b = String.UTF8.encode(s);
  keep.push(b);
  return b;
}

/** A fixture file, kept alive. */
export function file(path: string): ArrayBuffer {
  const b = loadFile(path);
  keep.push(b);
  return b;
}

export function addr(b: ArrayBuffer): usize { return changetype<usize>(b); }

/** Parses b into m; returns the parse result. */
export function parseBuf(m: SipMsg, b: ArrayBuffer): i32 { return m.parse(changetype<usize>(b), b.byteLength); }

/** Parses text (LF -> CRLF) into m. */
export function parseText(m: SipMsg, s: string): i32 { return parseBuf(m, crlf(s)); }

/** A span of m as a string (UTF-8). */
export function str(m: SipMsg, s: Span): string { return String.UTF8.decodeUnsafe(m.base + <usize>s.off, <usize>s.len); }

/** Bytes [p, p+n) as a string. */
export function text(p: usize, n: i32): string { return String.UTF8.decodeUnsafe(p, <usize>n); }

/** The value of the i-th header as a string. */
export function hval(m: SipMsg, i: i32): string { return text(m.base + <usize>m.hdrValueOff(i), m.hdrValueLen(i)); }
