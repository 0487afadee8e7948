// Parsing a session description (RFC 4566 section 5) in place into a Session. Lines are
// "<type>=<value>" ending in CRLF or LF; v=0 comes first; o= and s= belong to the session part;
// each m= opens a media section whose c= and a= lines follow it. Strict on the structure the
// offer/answer exchange depends on (v, o, c, m, payload types), lenient on the rest: empty
// lines, repeated spaces, unknown line types and attributes are skipped. Never traps: every
// scan is bounded by the body length.
import { SDP_MAX_MEDIA, SDP_MAX_FMTS } from "../config";
import { eqNoCase, parseIp4 } from "../sys/bytes";
import {
  Session, Media, SDP_OK, SDP_E_SYNTAX, SDP_E_VERSION, SDP_E_TOO_MANY, CONN_UNUSABLE,
  KIND_AUDIO, KIND_OTHER, PROTO_AVP, PROTO_AVPF, PROTO_RTP_OTHER, PROTO_OTHER,
} from "./session";
import { nextToken, tokOff, tokLen, find, parseNum, parseU64, u64Value } from "./field";
import { parseAttribute } from "./attribute";
import { staticCodec } from "./codec";
import { T } from "../sys/text";

const BAD: i64 = -3; // parseConn: malformed

/** Parses the body [base, base+len) into s. Returns SDP_OK, or SDP_E_SYNTAX, SDP_E_VERSION,
 *  SDP_E_TOO_MANY; on an error s holds what was parsed before it and must not be used. */
export function parse(s: Session, base: usize, len: i32): i32 {
  s.reset(base, len);
  let pos = 0, lines = 0;
  let haveO = false, haveS = false;
  let m: Media | null = null;
  while (pos < len) {
    let e = find(base, pos, len, 10);
    const start = pos;
    pos = e + 1;
    if (e > start && load<u8>(base + <usize>(e - 1)) == 13) e--;
    if (e == start) continue;
    if (e - start < 2 || load<u8>(base + <usize>(start + 1)) != 61) return SDP_E_SYNTAX;
    const t = <i32>load<u8>(base + <usize>start);
    const v = start + 2;
    if (lines++ == 0) {
      if (t != 118) return SDP_E_SYNTAX; // the first line is v=
      if (e - v != 1 || load<u8>(base + <usize>v) != 48) return SDP_E_VERSION;
      continue;
    }
    if (t == 97) { // a=
      parseAttribute(s, m, v, e);
    } else if (t == 109) { // m=
      if (s.nmedia == SDP_MAX_MEDIA) return SDP_E_TOO_MANY;
      m = s.media[s.nmedia++];
      if (!parseMediaLine(base, m, v, e)) return SDP_E_SYNTAX;
    } else if (t == 99) { // c=
      const c = parseConn(base, v, e);
      if (c == BAD) return SDP_E_SYNTAX;
      if (m !== null) m.conn = c;
      else s.conn = c;
    } else if (t == 111) { // o=
      if (m !== null || !parseOrigin(s, base, v, e)) return SDP_E_SYNTAX;
      haveO = true;
    } else if (t == 115) { // s=
      if (m !== null) return SDP_E_SYNTAX;
      haveS = true;
    } else if (t == 116) { // t=
      if (m !== null) return SDP_E_SYNTAX;
      s.tOff = v;
      s.tLen = e - v;
    } else if (t == 118) {
      return SDP_E_SYNTAX; // a second v=
    }
    // i= u= e= p= b= r= z= k= and unknown types: nothing the intercom needs.
  }
  if (!haveO || !haveS) return SDP_E_SYNTAX;
  return SDP_OK;
}

// c=<nettype> <addrtype> <connection-address>: the IPv4 unicast address, CONN_UNUSABLE for
// anything else that is well formed (IP6, a host name, multicast), BAD when fields are missing.
function parseConn(base: usize, v: i32, end: i32): i64 {
  let p = nextToken(base, v, end);
  const nt = tokOff, ntl = tokLen;
  p = nextToken(base, p, end);
  const at = tokOff, atl = tokLen;
  nextToken(base, p, end);
  if (tokLen == 0) return BAD;
  return ip4Addr(base, nt, ntl, at, atl, tokOff, tokLen);
}

function ip4Addr(base: usize, nt: i32, ntl: i32, at: i32, atl: i32, a: i32, al: i32): i64 {
  if (!eqNoCase(base + <usize>nt, ntl, T("IN")) || !eqNoCase(base + <usize>at, atl, T("IP4"))) return CONN_UNUSABLE;
  const slash = find(base, a, a + al, 47); // multicast TTL / count
  const ip = parseIp4(base + <usize>a, slash - a);
  if (ip < 0) return CONN_UNUSABLE;
  if ((ip >>> 28) == 14) return CONN_UNUSABLE; // 224.0.0.0/4
  return ip;
}

// o=<username> <sess-id> <sess-version> <nettype> <addrtype> <unicast-address>
function parseOrigin(s: Session, base: usize, v: i32, end: i32): bool {
  let p = nextToken(base, v, end);
  if (tokLen == 0) return false;
  p = nextToken(base, p, end);
  if (!parseU64(base, tokOff, tokLen)) return false;
  s.sessId = u64Value;
  p = nextToken(base, p, end);
  if (!parseU64(base, tokOff, tokLen)) return false;
  s.sessVersion = u64Value;
  p = nextToken(base, p, end);
  const nt = tokOff, ntl = tokLen;
  p = nextToken(base, p, end);
  const at = tokOff, atl = tokLen;
  nextToken(base, p, end);
  if (tokLen == 0) return false;
  s.originAddr = ip4Addr(base, nt, ntl, at, atl, tokOff, tokLen);
  return true;
}

/** Classifies a transport protocol token. */
function protoOf(p: usize, n: i32): i32 {
  if (eqNoCase(p, n, T("RTP/AVP"))) return PROTO_AVP;
  if (eqNoCase(p, n, T("RTP/AVPF"))) return PROTO_AVPF;
  for (let i = 0; i + 4 <= n; i++) {
    if (eqNoCase(p + <usize>i, 4, T("RTP/"))) return PROTO_RTP_OTHER;
  }
  return PROTO_OTHER;
}

// m=<media> <port>[/<number of ports>] <proto> <fmt> ...
function parseMediaLine(base: usize, m: Media, v: i32, end: i32): bool {
  m.reset();
  let p = nextToken(base, v, end);
  if (tokLen == 0) return false;
  m.typeOff = tokOff;
  m.typeLen = tokLen;
  m.kind = eqNoCase(base + <usize>tokOff, tokLen, T("audio")) ? KIND_AUDIO : KIND_OTHER;
  p = nextToken(base, p, end);
  const pe = tokOff + tokLen;
  const slash = find(base, tokOff, pe, 47);
  m.port = parseNum(base, tokOff, slash - tokOff, 65535);
  if (m.port < 0) return false;
  if (slash < pe && parseNum(base, slash + 1, pe - slash - 1, 65535) < 1) return false;
  p = nextToken(base, p, end);
  if (tokLen == 0) return false;
  m.protoOff = tokOff;
  m.protoLen = tokLen;
  m.proto = protoOf(base + <usize>tokOff, tokLen);
  const rtp = m.proto != PROTO_OTHER;
  p = nextToken(base, p, end);
  if (tokLen == 0) return false;
  m.fmtOff = tokOff;
  let last = tokOff + tokLen;
  while (tokLen > 0) {
    last = tokOff + tokLen;
    if (rtp) {
      const pt = parseNum(base, tokOff, tokLen, 127);
      if (pt < 0) return false;
      const n = m.nfmt;
      if (n < SDP_MAX_FMTS) {
        unchecked(m.pt[n] = <u8>pt);
        unchecked(m.codec[n] = staticCodec(pt));
        unchecked(m.events[n] = 0);
        m.nfmt = n + 1;
      } else {
        m.fmtOverflow = true;
      }
    }
    p = nextToken(base, p, end);
  }
  m.fmtLen = last - m.fmtOff;
  return true;
}
