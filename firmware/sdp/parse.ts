// Parsing a session description (RFC 4566 section 5) in place into a Session. Lines are
// "<type>=<value>" ending in CRLF or LF; v=0 comes first; o=, s= and t= belong to the session
// part; each m= opens a media section whose c= and a= lines follow it. Strict on the structure
// the offer/answer exchange depends on (v, o, c, m, payload types), lenient on the rest: empty
// lines, runs of spaces or tabs between fields, unknown line types, attributes the intercom does
// not use and attribute values that do not parse (RFC 4566 5.13) are skipped. Never traps: every
// scan is bounded by the end of the body.
import { SDP_MAX_MEDIA, SDP_MAX_FMTS } from "../config";
import { eqNoCase, parseIp4 } from "../sys/bytes";
import { wordIndex } from "../sys/words";
import {
  Session, Media, SDP_OK, SDP_E_SYNTAX, SDP_E_VERSION, SDP_E_TOO_MANY, CONN_NONE, CONN_UNUSABLE,
  DIR_UNSET, KIND_AUDIO, KIND_OTHER, PROTO_OTHER, FMTP_SEEN, FMT_PT, FMT_CODEC, FMT_EVENTS, CONN_AT, DIR_AT, PTIME_AT,
} from "./session";
import { CODECS, CODEC_OTHER, staticCodec } from "./codec";
import { T } from "../sys/text";

/** Attribute names; the first four are the directions, by their DIR_* value. */
export const ATTRS = T("inactive|sendonly|recvonly|sendrecv|ptime|maxptime|rtpmap|fmtp");
const A_PTIME = 4, A_RTPMAP = 6;

const BAD: i64 = -3; // addr(): a field is missing

// The token found by the last next().
let tok: usize = 0;
let tokLen: i32 = 0;
// The value of the last successful dec().
let decValue: u64 = 0;

/** Skips separators (space, tab; any byte up to 32), then takes the token up to the next one or
 *  `end` into tok/tokLen (tokLen 0: no more tokens); returns the position after it. */
function next(p: usize, end: usize): usize {
  while (p < end && load<u8>(p) <= 32) p++;
  tok = p;
  while (p < end && load<u8>(p) > 32) p++;
  tokLen = <i32>(p - tok);
  return p;
}

/** Position of byte b in [p, end), or end. */
function find(p: usize, end: usize, b: u32): usize {
  while (p < end && <u32>load<u8>(p) != b) p++;
  return p;
}

/** 1..20 decimal digits that fit in u64 (sess-id and sess-version are 64-bit, RFC 3264 5):
 *  sets decValue and returns true. */
function dec(p: usize, len: i32): bool {
  if (<u32>(len - 1) >= 20) return false;
  let v: u64 = 0;
  for (let i = 0; i < len; i++) {
    const d = <u64>(<i32>load<u8>(p + <usize>i) - 48);
    if (d > 9 || v > (0xffffffffffffffff - d) / 10) return false;
    v = v * 10 + d;
  }
  decValue = v;
  return true;
}

/** A decimal in 0..max, or -1. */
function num(p: usize, len: i32, max: i32): i32 {
  return dec(p, len) && decValue <= <u64>max ? <i32>decValue : -1;
}

/** Parses the body [base, base+len) into s. Returns SDP_OK, or SDP_E_SYNTAX, SDP_E_VERSION,
 *  SDP_E_TOO_MANY; on an error s holds what was parsed before it and must not be used. */
export function parse(s: Session, base: usize, len: i32): i32 {
  s.tLen = s.nmedia = 0; // the o= fields are set by the o= line a valid body has
  s.conn = CONN_NONE;
  s.dir = DIR_UNSET;
  const end = base + <usize>len;
  let p = base, lines = 0, seen = 0; // seen: 1 o=, 2 s=
  let level = changetype<usize>(s);  // where c= and directions go: s or m
  let m: Media | null = null;
  while (p < end) {
    const start = p;
    let e = find(p, end, 10);
    p = e + 1;
    if (e > start && load<u8>(e - 1) == 13) e--;
    if (e == start) continue;
    if (e < start + 2 || load<u8>(start + 1) != 61) return SDP_E_SYNTAX;
    const t = <i32>load<u8>(start);
    const v = start + 2;
    if (lines++ == 0) { // the first line is v=0
      if (t != 118) return SDP_E_SYNTAX;
      if (e != v + 1 || load<u8>(v) != 48) return SDP_E_VERSION;
    } else if (t == 97) { // a=
      attribute(m, level, v, e);
    } else if (t == 109) { // m=
      if (s.nmedia == SDP_MAX_MEDIA) return SDP_E_TOO_MANY;
      m = s.m(s.nmedia++);
      level = changetype<usize>(m);
      if (!mediaLine(m, v, e)) return SDP_E_SYNTAX;
    } else if (t == 99) { // c=
      const c = addr(v, e);
      if (c == BAD) return SDP_E_SYNTAX;
      store<i64>(level, c, CONN_AT);
    } else if (t == 118 || m !== null && (t == 111 || t == 115 || t == 116)) {
      return SDP_E_SYNTAX; // a second v=, or o= s= t= in a media section
    } else if (t == 111) { // o=<username> <sess-id> <sess-version> <nettype> <addrtype> <address>
      let q = next(next(v, e), e);
      if (!dec(tok, tokLen)) return SDP_E_SYNTAX;
      s.sessId = decValue;
      q = next(q, e);
      if (!dec(tok, tokLen)) return SDP_E_SYNTAX;
      s.sessVersion = decValue;
      const a = addr(q, e);
      if (a == BAD) return SDP_E_SYNTAX;
      s.originAddr = a;
      seen |= 1;
    } else if (t == 115) {
      seen |= 2;
    } else if (t == 116) {
      s.tAt = v;
      s.tLen = <i32>(e - v);
    }
    // i= u= e= p= b= r= z= k= and unknown types: nothing the intercom needs.
  }
  return seen == 3 ? SDP_OK : SDP_E_SYNTAX;
}

// <nettype> <addrtype> <address> from p (c= and the end of o=): the IPv4 unicast address,
// CONN_UNUSABLE for anything else that is well formed (IP6, a host name, multicast), BAD when
// fields are missing.
function addr(p: usize, end: usize): i64 {
  p = next(p, end);
  const isIn = eqNoCase(tok, tokLen, T("IN"));
  p = next(p, end);
  const in4 = isIn && eqNoCase(tok, tokLen, T("IP4"));
  next(p, end);
  if (tokLen == 0) return BAD;
  const ip = parseIp4(tok, <i32>(find(tok, tok + <usize>tokLen, 47) - tok)); // before a multicast /TTL
  return in4 && ip >= 0 && (ip >>> 28) != 14 ? ip : CONN_UNUSABLE; // not 224.0.0.0/4
}

// m=<media> <port>[/<number of ports>] <proto> <fmt> ...
// @ts-ignore: decorator
@inline function mediaLine(m: Media, v: usize, end: usize): bool {
  memory.fill(changetype<usize>(m), 0, offsetof<Media>());
  m.conn = CONN_NONE;
  m.dir = DIR_UNSET;
  m.at = v;
  m.end = end;
  let p = next(v, end);
  m.kind = eqNoCase(tok, tokLen, T("audio")) ? KIND_AUDIO : KIND_OTHER;
  p = next(p, end);
  m.portAt = tok;
  m.portEnd = p;
  const slash = find(tok, p, 47);
  m.port = num(tok, <i32>(slash - tok), 65535);
  if (m.port < 0 || slash < p && num(slash + 1, <i32>(p - slash) - 1, 65535) < 1) return false;
  p = next(p, end);
  if (tokLen == 0) return false;
  const proto = m.proto = wordIndex(tok, tokLen, T("RTP/AVP|RTP/AVPF")) + 1;
  p = next(p, end);
  if (tokLen == 0) return false;
  m.fmtAt = tok;
  while (tokLen > 0) {
    // RTP formats are payload types 0-127; others are tokens (udptl: t38), which are skipped
    const pt = num(tok, tokLen, 127);
    if (pt < 0) {
      if (proto != PROTO_OTHER) return false;
    } else {
      const n = m.nfmt;
      if (n < SDP_MAX_FMTS) {
        const f = changetype<usize>(m) + <usize>n;
        store<u8>(f, <u8>pt, FMT_PT);
        store<u8>(f, <u8>staticCodec(pt), FMT_CODEC);
        store<u32>(f + <usize>(3 * n), 0, FMT_EVENTS);
        m.nfmt = n + 1;
      }
    }
    p = next(p, end);
  }
  return true;
}

// a=<name>[:<value>]: a direction applies to the level it is at; rtpmap, fmtp, ptime and
// maxptime only to a media section.
// @ts-ignore: decorator
@inline function attribute(m: Media | null, level: usize, v: usize, end: usize): void {
  const colon = find(v, end, 58);
  const a = wordIndex(v, <i32>(colon - v), ATTRS);
  if (a < A_PTIME) {
    if (a >= 0 && colon == end) store<i32>(level, a, DIR_AT);
    return;
  }
  if (m === null || colon == end) return;
  const p = next(colon + 1, end);
  if (a < A_RTPMAP) {
    const n = num(tok, tokLen, 1000);
    if (n > 0) store<i32>(changetype<usize>(m) + <usize>((a - A_PTIME) << 2), n, PTIME_AT); // ptime, maxptime
    return;
  }
  const i = m.indexOf(num(tok, tokLen, 127));
  next(p, end);
  if (i < 0 || tokLen == 0) return;
  const f = changetype<usize>(m) + <usize>i;
  if (a == A_RTPMAP) {
    // <encoding name>/<clock rate>[/<channels>]: G.711 and telephone-event at 8000 Hz, mono
    const c = wordIndex(tok, tokLen, CODECS);
    store<u8>(f, <u8>(c < 0 ? CODEC_OTHER : c % 3 + 1), FMT_CODEC);
  } else {
    store<u32>(f + <usize>(3 * i), events(tok, tok + <usize>tokLen), FMT_EVENTS);
  }
}

// A telephone-event list (RFC 4733 2.4.1), e.g. "0-15" or "0-11,16": FMTP_SEEN and a bit per
// event 0-30; 0 when it does not parse (as if there were no fmtp).
function events(p: usize, end: usize): u32 {
  let mask = FMTP_SEEN;
  while (p < end) {
    const comma = find(p, end, 44);
    const dash = find(p, comma, 45);
    let lo = num(p, <i32>(dash - p), 255);
    const hi = dash < comma ? num(dash + 1, <i32>(comma - dash) - 1, 255) : lo;
    if (lo < 0 || hi < lo) return 0;
    if (lo <= 30) mask |= (<u32>2 << <u32>(hi < 30 ? hi : 30)) - (<u32>1 << <u32>lo); // bits lo..hi
    p = comma + 1;
  }
  return mask;
}
