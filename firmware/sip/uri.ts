// SIP, SIPS and other URIs (RFC 3261 19.1, grammar in 25.1; tel: RFC 3966): parse in place into
// spans, and compare per RFC 3261 19.1.4. %HEX escapes are checked (two hex digits) and left in
// place; comparison treats an escaped unreserved character as the character itself, an escaped
// reserved one as distinct from it. Hosts: names, IPv4, IPv6 references (RFC 5954 grammar).
import { cls, C_ALPHA, C_DIGIT, C_HEX, C_HOST, C_SCHEME, C_USER, C_PASS, C_PARAM, C_HNV, C_URIC,
  skipClass, skipEscaped, digits, hexVal, Span } from "./scan";
import { eqNoCase, parseIp4, lower } from "../sys/bytes";
import { T } from "../sys/text";

export const S_OTHER = 0, S_SIP = 1, S_SIPS = 2, S_TEL = 3;
export const HOST_NONE = 0, HOST_NAME = 1, HOST_IP4 = 2, HOST_IP6 = 3;

/** A parsed URI; spans are relative to the base it was parsed over. Reused, never reallocated. */
export class SipUri {
  scheme: i32 = S_OTHER;
  all: Span = new Span();           // the whole URI
  user: Span = new Span();          // sip/sips user (escapes as written); tel: the number
  password: Span = new Span();
  host: Span = new Span();          // IPv6 references keep their brackets
  hostKind: i32 = HOST_NONE;
  port: i32 = 0;                    // 0 when absent
  params: Span = new Span();        // uri-parameters without the first ';'
  headers: Span = new Span();       // after '?'
  transport: Span = new Span();
  maddr: Span = new Span();
  userParam: Span = new Span();
  method: Span = new Span();
  ttl: i32 = -1;
  lr: bool = false;

  clear(): void {
    this.scheme = S_OTHER; this.hostKind = HOST_NONE; this.port = 0; this.ttl = -1; this.lr = false;
    this.all.clear(); this.user.clear(); this.password.clear(); this.host.clear(); this.params.clear();
    this.headers.clear(); this.transport.clear(); this.maddr.clear(); this.userParam.clear();
    this.method.clear();
  }
}

const scratch = new SipUri();

/** Kind of the host the last parseHost accepted (HOST_*). */
export let hostKind: i32 = HOST_NONE;

/** True when [p, end) is an IPv6 address (RFC 4291 text form, optional IPv4 tail). */
export function ip6Ok(p: usize, end: usize): bool {
  let groups = 0;
  let dbl = false;
  if (end - p >= 2 && load<u8>(p) == 58 && load<u8>(p + 1) == 58) {
    dbl = true; p += 2;
    if (p == end) return true;
  }
  while (p < end) {
    const s = p;
    while (p < end && (cls(load<u8>(p)) & C_HEX) != 0 && p - s < 5) p++;
    if (p == s) return false;
    if (p < end && load<u8>(p) == 46) {
      if (groups > 6 || parseIp4(s, <i32>(end - s)) < 0) return false;
      groups += 2;
      p = end;
      break;
    }
    if (p - s > 4) return false;
    groups++;
    if (p == end) break;
    if (load<u8>(p) != 58) return false;
    p++;
    if (p < end && load<u8>(p) == 58) {
      if (dbl) return false;
      dbl = true; p++;
    } else if (p == end) return false;
  }
  return dbl ? groups <= 7 : groups == 8;
}

/**
 * Parses host = hostname / IPv4address / IPv6reference at p; returns the position after it, or
 * 0 when there is none. Hostnames are labels of alphanum, '-' and '_' (the last for peers that
 * use it) without empty labels; an all-digit name must be a dotted quad of 0..255. One pass.
 */
export function parseHost(p: usize, end: usize): usize {
  if (p >= end) return 0;
  if (load<u8>(p) == 91) {
    let q = p + 1;
    while (q < end && load<u8>(q) != 93) q++;
    if (q >= end || !ip6Ok(p + 1, q)) return 0;
    hostKind = HOST_IP6;
    return q + 1;
  }
  let q = p;
  let dots = 0, part = 0, nd = 0, lab = 0;
  let alpha = false, quad = true;
  while (q < end) {
    const c = <u32>load<u8>(q);
    if (c - 48 < 10) {
      part = part * 10 + <i32>c - 48;
      nd++; lab++;
    } else if (c == 46) {
      if (lab == 0) return 0;
      if (nd > 3 || part > 255) quad = false;
      dots++; part = 0; nd = 0; lab = 0;
    } else if ((cls(c) & C_HOST) != 0) {
      alpha = true; lab++;
    } else break;
    q++;
  }
  if (q == p) return 0;
  if (!alpha) {
    // all digits and dots: only a dotted quad will do (a toplabel starts with a letter)
    if (!quad || dots != 3 || lab == 0 || nd > 3 || part > 255) return 0;
    hostKind = HOST_IP4;
  } else hostKind = HOST_NAME;
  return q;
}

/**
 * Parses the URI [off, off+len) of a message at base into u (default: a scratch object, for a
 * syntax check only). Returns false when it is not a URI: scheme ":" then, for sip/sips, the
 * RFC 3261 SIP-URI grammar; for tel, telephone-subscriber characters; for others, absoluteURI
 * characters. No LWS anywhere.
 */
export function parseUri(base: usize, off: i32, len: i32, u: SipUri = scratch): bool {
  u.clear();
  u.all.set(off, len);
  const s = base + <usize>off;
  const end = s + <usize>len;
  if (len < 2 || (cls(load<u8>(s)) & C_ALPHA) == 0) return false;
  let p = skipClass(s, end, C_SCHEME);
  if (p >= end || load<u8>(p) != 58) return false;
  const sl = <i32>(p - s);
  if (sl == 3 || sl == 4) {
    const w = load<u32>(s) | 0x20202020;           // s+3 is ':' at worst: inside the URI
    if ((w & 0xffffff) == 0x706973) u.scheme = sl == 3 ? S_SIP : w == 0x73706973 ? S_SIPS : S_OTHER;
    else if (sl == 3 && (w & 0xffffff) == 0x6c6574) u.scheme = S_TEL;
  }
  p++;
  if (u.scheme == S_SIP || u.scheme == S_SIPS) return sipBody(base, p, end, u);
  if (p >= end) return false;
  const tel = u.scheme == S_TEL;
  const b = p;
  while (p < end) {
    const c = <u32>load<u8>(p);
    if ((cls(c) & C_URIC) != 0 || (tel && (c == 35 || c == 42))) { p++; continue; }
    if (c != 37 || p + 2 >= end || (cls(load<u8>(p + 1)) & cls(load<u8>(p + 2)) & C_HEX) == 0) return false;
    p += 3;
  }
  if (tel) {
    let q = b;
    while (q < end && load<u8>(q) != 59) q++;
    u.user.setAbs(base, b, q);
  }
  return true;
}

function sipBody(base: usize, p: usize, end: usize, u: SipUri): bool {
  let at = p;
  while (at < end && load<u8>(at) != 64) at++;
  if (at < end) {
    let colon = p;
    while (colon < at && load<u8>(colon) != 58) colon++;
    if (colon == p || skipEscaped(p, colon, C_USER) != colon) return false;
    u.user.setAbs(base, p, colon);
    if (colon < at) {
      if (skipEscaped(colon + 1, at, C_PASS) != at) return false;
      u.password.setAbs(base, colon + 1, at);
    }
    p = at + 1;
  }
  const h = parseHost(p, end);
  if (h == 0) return false;
  u.host.setAbs(base, p, h);
  u.hostKind = hostKind;
  p = h;
  if (p < end && load<u8>(p) == 58) {
    const q = skipClass(p + 1, end, C_DIGIT);
    const v = digits(p + 1, q);
    if (v <= 0 || v > 65535) return false;
    u.port = <i32>v;
    p = q;
  }
  if (p < end && load<u8>(p) == 59) {
    const ps = p + 1;
    while (p < end && load<u8>(p) == 59) {
      const ns = p + 1;
      const ne = skipEscaped(ns, end, C_PARAM);
      if (ne == 0 || ne == ns) return false;
      let ve = ne;
      if (ne < end && load<u8>(ne) == 61) {
        ve = skipEscaped(ne + 1, end, C_PARAM);
        if (ve == 0 || ve == ne + 1) return false;
        if (!uriParam(base, u, ns, ne, ne + 1, ve)) return false;
      } else if (eqNoCase(ns, <i32>(ne - ns), T("lr"))) u.lr = true;
      p = ve;
    }
    u.params.setAbs(base, ps, p);
  }
  if (p < end && load<u8>(p) == 63) {
    const hs = p + 1;
    p = hs;
    while (true) {
      const ne = skipEscaped(p, end, C_HNV);
      if (ne == 0 || ne == p || ne >= end || load<u8>(ne) != 61) return false;
      const ve = skipEscaped(ne + 1, end, C_HNV);
      if (ve == 0) return false;
      p = ve;
      if (p < end && load<u8>(p) == 38) { p++; continue; }
      break;
    }
    u.headers.setAbs(base, hs, p);
  }
  return p == end;
}

function uriParam(base: usize, u: SipUri, ns: usize, ne: usize, vs: usize, ve: usize): bool {
  const n = <i32>(ne - ns);
  if (eqNoCase(ns, n, T("transport"))) u.transport.setAbs(base, vs, ve);
  else if (eqNoCase(ns, n, T("user"))) u.userParam.setAbs(base, vs, ve);
  else if (eqNoCase(ns, n, T("method"))) u.method.setAbs(base, vs, ve);
  else if (eqNoCase(ns, n, T("maddr"))) {
    if (parseHost(vs, ve) != ve) return false;
    u.maddr.setAbs(base, vs, ve);
  } else if (eqNoCase(ns, n, T("ttl"))) {
    const v = digits(vs, ve);
    if (v < 0 || v > 255) return false;
    u.ttl = <i32>v;
  } else if (eqNoCase(ns, n, T("lr"))) u.lr = true;
  return true;
}

// ---- comparison (RFC 3261 19.1.4)

let adv: usize = 1;

// @ts-ignore: decorator
@inline function isReserved(c: u32): bool {
  return c == 59 || c == 47 || c == 63 || c == 58 || c == 64 || c == 38 || c == 61 || c == 43 || c == 36 || c == 44;
}

/** The comparison unit at p: a byte, or an escape decoded (escaped reserved bytes stay distinct). */
function unitAt(p: usize, end: usize, ci: bool): u32 {
  const c = <u32>load<u8>(p);
  if (c == 37 && p + 2 < end) {
    const h = hexVal(load<u8>(p + 1)), l = hexVal(load<u8>(p + 2));
    if (h >= 0 && l >= 0) {
      adv = 3;
      const d = <u32>(h * 16 + l);
      if (isReserved(d)) return 0x100 | d;
      return ci ? <u32>lower(d) : d;
    }
  }
  adv = 1;
  return ci ? <u32>lower(c) : c;
}

/** Two escaped strings are equal (escapes of unreserved bytes equal the bytes). */
export function escEq(a: usize, an: i32, b: usize, bn: i32, ci: bool): bool {
  const ea = a + <usize>an, eb = b + <usize>bn;
  while (a < ea && b < eb) {
    const x = unitAt(a, ea, ci); a += adv;
    const y = unitAt(b, eb, ci); b += adv;
    if (x != y) return false;
  }
  return a == ea && b == eb;
}

// One parameter or header of a params/headers section: name [ns, ne), value [vs, ve).
let ns: usize = 0, ne: usize = 0, vs: usize = 0, ve: usize = 0;

/** Splits the item at p in a validated section ending at end (sep ';' or '&'); returns the
 *  position after it (past the separator). */
function item(p: usize, end: usize, sep: u32): usize {
  ns = p;
  while (p < end && load<u8>(p) != 61 && load<u8>(p) != sep) p++;
  ne = p; vs = p; ve = p;
  if (p < end && load<u8>(p) == 61) {
    vs = ++p;
    while (p < end && load<u8>(p) != sep) p++;
    ve = p;
  }
  return p < end ? p + 1 : p;
}

/** In section [s, end): finds the item named like [n, n+nl); sets vs/ve; false when absent. */
function findItem(s: usize, end: usize, sep: u32, n: usize, nl: i32): bool {
  let p = s;
  while (p < end) {
    p = item(p, end, sep);
    if (escEq(ns, <i32>(ne - ns), n, nl, true)) return true;
  }
  return false;
}

function special(p: usize, n: i32): bool {
  return eqNoCase(p, n, T("user")) || eqNoCase(p, n, T("ttl")) || eqNoCase(p, n, T("method")) ||
    eqNoCase(p, n, T("maddr")) || eqNoCase(p, n, T("transport"));
}

// Comparison is quadratic in the number of parameters or headers: URIs with more than this many
// are not compared (they are not equal), so a hostile URI cannot make it expensive.
const MAX_ITEMS = 32;

/** Every param of section A that B also has agrees; one only A has is not special. */
function paramsAgree(a: usize, ae: usize, b: usize, be: usize): bool {
  let p = a, k = 0;
  while (p < ae) {
    if (++k > MAX_ITEMS) return false;
    p = item(p, ae, 59);
    const an = ns, anl = <i32>(ne - ns), av = vs, avl = <i32>(ve - vs);
    if (findItem(b, be, 59, an, anl)) {
      if (!escEq(av, avl, vs, <i32>(ve - vs), true)) return false;
    } else if (special(an, anl)) return false;
  }
  return true;
}

function headersIn(a: usize, ae: usize, b: usize, be: usize): bool {
  let p = a, k = 0;
  while (p < ae) {
    if (++k > MAX_ITEMS) return false;
    p = item(p, ae, 38);
    const an = ns, anl = <i32>(ne - ns), av = vs, avl = <i32>(ve - vs);
    if (!findItem(b, be, 38, an, anl) || !escEq(av, avl, vs, <i32>(ve - vs), false)) return false;
  }
  return true;
}

function spanEq(ab: usize, a: Span, bb: usize, b: Span, ci: bool): bool {
  return escEq(ab + <usize>a.off, a.len, bb + <usize>b.off, b.len, ci);
}

/**
 * RFC 3261 19.1.4: true when two parsed sip/sips URIs (over bases ab and bb) are equivalent:
 * same scheme, userinfo case-sensitive, host case-insensitive, same explicit port; parameters in
 * both agree; user, ttl, method, maddr, transport in only one never match; headers all in both.
 * Other schemes compare byte for byte, case-insensitively. More than 32 parameters or headers in
 * one URI: not equal (bounded work).
 */
export function uriEqual(ab: usize, a: SipUri, bb: usize, b: SipUri): bool {
  if (a.scheme != b.scheme) return false;
  if (a.scheme != S_SIP && a.scheme != S_SIPS) return spanEq(ab, a.all, bb, b.all, true);
  if (!spanEq(ab, a.user, bb, b.user, false) || !spanEq(ab, a.password, bb, b.password, false)) return false;
  if (!spanEq(ab, a.host, bb, b.host, true) || a.port != b.port) return false;
  const ap = ab + <usize>a.params.off, ape = ap + <usize>a.params.len;
  const bp = bb + <usize>b.params.off, bpe = bp + <usize>b.params.len;
  if (!paramsAgree(ap, ape, bp, bpe) || !paramsAgree(bp, bpe, ap, ape)) return false;
  const ah = ab + <usize>a.headers.off, ahe = ah + <usize>a.headers.len;
  const bh = bb + <usize>b.headers.off, bhe = bh + <usize>b.headers.len;
  return headersIn(ah, ahe, bh, bhe) && headersIn(bh, bhe, ah, ahe);
}
