// SDP attributes (RFC 4566 5.13 and 6) the intercom uses: rtpmap, fmtp (RFC 4733 telephone-event
// event lists), ptime, maxptime, the direction attributes, rtcp (RFC 3605). Attributes that are
// unknown or whose value does not parse are ignored, as RFC 4566 5.13 asks.
import { eqNoCase } from "../sys/bytes";
import { Media, Session, DIR_UNSET, DIR_SENDRECV, DIR_SENDONLY, DIR_RECVONLY, DIR_INACTIVE, FMTP_SEEN } from "./session";
import { nextToken, tokOff, tokLen, find, parseNum } from "./field";
import { classify } from "./codec";
import { T } from "../sys/text";

/** Direction named by an attribute, or DIR_UNSET. */
function direction(p: usize, n: i32): i32 {
  if (eqNoCase(p, n, T("sendrecv"))) return DIR_SENDRECV;
  if (eqNoCase(p, n, T("sendonly"))) return DIR_SENDONLY;
  if (eqNoCase(p, n, T("recvonly"))) return DIR_RECVONLY;
  if (eqNoCase(p, n, T("inactive"))) return DIR_INACTIVE;
  return DIR_UNSET;
}

/** Applies the a= line whose value is [v, end) to media m, or to the session when m is null. */
export function parseAttribute(s: Session, m: Media | null, v: i32, end: i32): void {
  const base = s.base;
  const colon = find(base, v, end, 58);
  const name = base + <usize>v;
  const nlen = colon - v;
  if (colon == end) {
    const d = direction(name, nlen);
    if (d == DIR_UNSET) return;
    if (m !== null) m.dir = d;
    else s.dir = d;
    return;
  }
  if (m === null) return; // session-level rtpmap, ptime ... are not defined there
  const val = colon + 1;
  if (eqNoCase(name, nlen, T("rtpmap"))) rtpmap(base, m, val, end);
  else if (eqNoCase(name, nlen, T("fmtp"))) fmtp(base, m, val, end);
  else if (eqNoCase(name, nlen, T("ptime"))) {
    nextToken(base, val, end);
    const t = parseNum(base, tokOff, tokLen, 1000);
    if (t > 0) m.ptime = t;
  } else if (eqNoCase(name, nlen, T("maxptime"))) {
    nextToken(base, val, end);
    const t = parseNum(base, tokOff, tokLen, 1000);
    if (t > 0) m.maxptime = t;
  } else if (eqNoCase(name, nlen, T("rtcp"))) {
    nextToken(base, val, end);
    const port = parseNum(base, tokOff, tokLen, 65535);
    if (port > 0) m.rtcpPort = port;
  }
}

// a=rtpmap:<payload type> <encoding name>/<clock rate>[/<encoding parameters>]
function rtpmap(base: usize, m: Media, v: i32, end: i32): void {
  let p = nextToken(base, v, end);
  const pt = parseNum(base, tokOff, tokLen, 127);
  if (pt < 0) return;
  const i = m.indexOf(pt);
  if (i < 0) return;
  nextToken(base, p, end);
  const enc = tokOff, encEnd = tokOff + tokLen;
  const s1 = find(base, enc, encEnd, 47);
  if (s1 == encEnd) return;
  const s2 = find(base, s1 + 1, encEnd, 47);
  const rate = parseNum(base, s1 + 1, s2 - s1 - 1, 0x7fffffff);
  if (rate < 0) return;
  let ch = 0;
  if (s2 < encEnd) {
    ch = parseNum(base, s2 + 1, encEnd - s2 - 1, 255);
    if (ch < 0) return;
  }
  m.codec[i] = classify(base + <usize>enc, s1 - enc, rate, ch);
}

// a=fmtp:<payload type> <parameters>; for telephone-event the parameters are an event list,
// e.g. "0-15" or "0-15,66,70" (RFC 4733 2.4.1). Events 0-30 are kept as bits; a list that
// does not parse leaves the payload type as if it had no fmtp.
function fmtp(base: usize, m: Media, v: i32, end: i32): void {
  const p = nextToken(base, v, end);
  const pt = parseNum(base, tokOff, tokLen, 127);
  if (pt < 0) return;
  const i = m.indexOf(pt);
  if (i < 0) return;
  let mask: u32 = 0;
  let q = p;
  while (q < end && (load<u8>(base + <usize>q) == 32 || load<u8>(base + <usize>q) == 9)) q++;
  let e = end;
  while (e > q && (load<u8>(base + <usize>(e - 1)) == 32 || load<u8>(base + <usize>(e - 1)) == 9)) e--;
  if (q == e) return;
  while (q < e) {
    const comma = find(base, q, e, 44);
    const dash = find(base, q, comma, 45);
    const lo = parseNum(base, q, dash - q, 255);
    const hi = dash < comma ? parseNum(base, dash + 1, comma - dash - 1, 255) : lo;
    if (lo < 0 || hi < lo) return;
    const top = hi < 30 ? hi : 30;
    for (let ev = lo; ev <= top; ev++) mask |= <u32>1 << <u32>ev;
    q = comma + 1;
  }
  m.events[i] = FMTP_SEEN | mask;
}
