// SIP, SIPS and other URIs (RFC 3261 19.1, grammar in 25.1): parse in place into spans, and
// compare per RFC 3261 19.1.4. %HEX escapes are checked (two hex digits) and left in place;
// comparison treats an escaped unreserved character as the character itself, an escaped
// reserved one as distinct from it. Hosts: names, IPv4, IPv6 references (RFC 5954 grammar).
// URI parameters are checked (maddr a host, ttl 0..255) and read on demand (param()).
import { at, find, cls, clsAt, C_ALPHA, C_DIGIT, C_HEX, C_HOST, C_SCHEME, C_USER, C_PASS, C_PARAM, C_HNV, C_URIC, C_TEL,
  skipClass, skipEscaped, digits, hexVal, port, portValue, spanFields, wordIndex, Span } from "./scan";
import { eqNoCase, parseIp4, lower } from "../sys/bytes";
import { T, Text, textPtr, textLen } from "../sys/text";

export const S_OTHER = 0, S_SIP = 1, S_SIPS = 2, S_TEL = 3;
export const HOST_NONE = 0, HOST_NAME = 1, HOST_IP4 = 2, HOST_IP6 = 3;

/** A parsed URI; spans are relative to the base it was parsed over. Reused, never reallocated. */
// @final with an explicit return: built over a zero-filled __new block, no field-by-field
// initialisation (the declared defaults are zero unless set here).
@final export class SipUri {
  scheme: i32 = S_OTHER;
  hostKind: i32 = HOST_NONE;
  port: i32 = 0;                    // 0 when absent
  lr: bool = false;
  // one block of spans
  all: Span = changetype<Span>(0);                       // the whole URI
  user: Span = changetype<Span>(0);                      // sip/sips user (escapes as written)
  password: Span = changetype<Span>(0);
  host: Span = changetype<Span>(0);                      // IPv6 references keep their brackets
  params: Span = changetype<Span>(0);                    // uri-parameters without the first ';'
  headers: Span = changetype<Span>(0);                   // after '?'
  constructor() {
    const u = __new(offsetof<SipUri>(), idof<SipUri>());
    spanFields(u, offsetof<SipUri>(), 6);
    return changetype<SipUri>(u);
  }

  clear(): void {
    memory.fill(changetype<usize>(this), 0, 13);   // scheme, hostKind, port, lr: S_OTHER, HOST_NONE, 0, false
    memory.fill(changetype<usize>(this.all), 0, 48);
  }

  /** The value of uri-parameter `name` (any case, escapes compared decoded) of a URI parsed over
   *  base, into out (len 0 when it has none); false when the parameter is absent. */
  param(base: usize, name: Text, out: Span): bool {
    const s = base + <usize>this.params.off;
    if (!findItem(s, s + <usize>this.params.len, 59, textPtr(name), textLen(name))) return false;
    out.setAbs(base, vs, ve);
    return true;
  }
}

/** Scratch for URIs parsed for their syntax only (parseUri's default; msg.ts parses every
 *  Contact, Route and From/To URI into it). */
export const scratch = new SipUri();

/** Kind of the host the last parseHost accepted (HOST_*). */
export let hostKind: i32 = HOST_NONE;

/** True when [p, end) is an IPv6 address (RFC 4291 text form, optional IPv4 tail). */
export function ip6Ok(p: usize, end: usize): bool {
  let groups = 0;
  let dbl = end - p >= 2 && load<u16>(p) == 0x3a3a;
  if (dbl) p += 2;
  while (p < end) {
    const s = p;
    p = skipClass(p, end, C_HEX);
    if (at(p, end, 46)) return (dbl ? groups <= 5 : groups == 6) && parseIp4(s, <i32>(end - s)) >= 0;
    if (p == s || p - s > 4) return false;
    groups++;
    if (p == end) break;
    if (load<u8>(p++) != 58 || p == end) return false;
    if (at(p, end, 58)) {
      if (dbl) return false;
      dbl = true; p++;
    }
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
  let q = p;
  if (load<u8>(p) == 91) {
    q = find(p, end, 93);
    if (q >= end || !ip6Ok(p + 1, q)) return 0;
    hostKind = HOST_IP6;
    return q + 1;
  }
  let dots = 0, part = 0, lab = 0;
  let alpha = false, quad = true;
  for (; q < end; q++) {
    const c = <u32>load<u8>(q);
    if (c == 46) {
      if (lab == 0) return 0;
      if (lab > 3 || part > 255) quad = false;
      dots++; part = 0; lab = 0;
      continue;
    }
    if ((clsAt(q) & C_HOST) == 0) break;
    lab++;
    if (c - 48 < 10) part = part * 10 + <i32>c - 48;
    else alpha = true;
  }
  if (q == p) return 0;
  hostKind = HOST_NAME;
  if (!alpha) {
    // all digits and dots: only a dotted quad will do (a toplabel starts with a letter)
    if (!quad || dots != 3 || lab == 0 || lab > 3 || part > 255) return 0;
    hostKind = HOST_IP4;
  }
  return q;
}

/**
 * Parses the URI [off, off+len) of a message at base into u (default: a scratch object, for a
 * syntax check only). Returns false when it is not a URI: scheme ":" then, for sip/sips, the
 * RFC 3261 SIP-URI grammar; for others (tel too, with its '#'), absoluteURI characters. No LWS
 * anywhere.
 */
export function parseUri(base: usize, off: i32, len: i32, u: SipUri = scratch): bool {
  u.clear();
  u.all.set(off, len);
  const s = base + <usize>off;
  const end = s + <usize>len;
  if (len < 2 || (cls(load<u8>(s)) & C_ALPHA) == 0) return false;
  let p = skipClass(s, end, C_SCHEME);
  if (!at(p, end, 58)) return false;
  const sl = p - s, w = load<u32>(s) | 0x20202020;       // s+3 is ':' at worst: inside the URI
  if ((w & 0xffffff) == 0x706973) u.scheme = sl == 3 ? S_SIP : sl == 4 && w == 0x73706973 ? S_SIPS : S_OTHER;
  else if (sl == 3 && (w & 0xffffff) == 0x6c6574) u.scheme = S_TEL;
  p++;
  if (u.scheme == S_SIP || u.scheme == S_SIPS) return sipBody(base, p, end, u);
  return p < end && skipEscaped(p, end, u.scheme == S_TEL ? C_TEL : C_URIC) == end;
}

function sipBody(base: usize, p: usize, end: usize, u: SipUri): bool {
  const ats = find(p, end, 64);
  if (ats < end) {
    const colon = find(p, ats, 58);
    if (colon == p || skipEscaped(p, colon, C_USER) != colon) return false;
    u.user.setAbs(base, p, colon);
    if (colon < ats) {
      if (skipEscaped(colon + 1, ats, C_PASS) != ats) return false;
      u.password.setAbs(base, colon + 1, ats);
    }
    p = ats + 1;
  }
  const h = parseHost(p, end);
  if (h == 0) return false;
  u.host.setAbs(base, p, h);
  u.hostKind = hostKind;
  p = h;
  if (at(p, end, 58)) {
    p = port(p, end);
    if (p == 0) return false;
    u.port = portValue;
  }
  const ps = p + 1;
  p = items(base, p, end, 59, u);
  if (p > ps) u.params.setAbs(base, ps, p);
  const hs = p + 1;
  p = items(base, p, end, 63, u);
  if (p > hs) u.headers.setAbs(base, hs, p);
  return p == end;
}

/**
 * The uri-parameters (lead ';': `*( ";" pname [ "=" pvalue ] )`, maddr a host, ttl 0..255, lr
 * noted in u) or headers (lead '?': `"?" hname "=" hvalue *( "&" hname "=" hvalue )`) at p: the
 * position after them (p when there are none), or 0 when malformed.
 */
function items(base: usize, p: usize, end: usize, lead: i32, u: SipUri): usize {
  const hdr = lead == 63, bits = hdr ? C_HNV : C_PARAM;
  while (p != 0 && at(p, end, lead)) {
    if (hdr) lead = 38;
    const ns = p + 1, ne = skipEscaped(ns, end, bits), n = <i32>(ne - ns);
    if (ne == 0 || ne == ns) return 0;
    p = ne;
    if (at(ne, end, 61)) {
      p = skipEscaped(ne + 1, end, bits);
      if (!hdr && (p == ne + 1 || (eqNoCase(ns, n, T("maddr")) ? parseHost(ne + 1, p) != p :
          eqNoCase(ns, n, T("ttl")) && <u64>digits(ne + 1, p) > 255))) return 0;
    } else if (hdr) return 0;
    if (eqNoCase(ns, n, T("lr")) && !hdr) u.lr = true;
  }
  return p;
}

// ---- comparison (RFC 3261 19.1.4)

let adv: usize = 1;

/** The comparison unit at p: a byte, or an escape decoded (escaped reserved bytes stay distinct:
 *  ; / ? : @ & = + $ , as bits of (byte - 32)). */
function unitAt(p: usize, end: usize, ci: bool): u32 {
  let c = <u32>load<u8>(p);
  adv = 1;
  if (c == 37 && p + 2 < end) {
    const h = hexVal(load<u8>(p + 1)), l = hexVal(load<u8>(p + 2));
    if (h >= 0 && l >= 0) {
      adv = 3;
      c = <u32>(h * 16 + l);
      if (c - 32 < 64 && ((<u64>0x1ac009850 >> <u64>(c - 32)) & 1) != 0) return 0x100 | c;
    }
  }
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
  if (at(p, end, 61)) {
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

// Comparison is quadratic in the number of parameters or headers: URIs with more than this many
// are not compared (they are not equal), so a hostile URI cannot make it expensive.
const MAX_ITEMS = 32;

/** Parameters (sep ';'): every one of section A that B also has agrees, one only A has is not
 *  user, ttl, method, maddr or transport. Headers (sep '&'): every one of A is in B, equal. */
function agree(ab: usize, a: Span, bb: usize, b: Span, sep: u32): bool {
  let p = ab + <usize>a.off, k = 0;
  const ae = p + <usize>a.len, bp = bb + <usize>b.off, be = bp + <usize>b.len;
  while (p < ae) {
    if (++k > MAX_ITEMS) return false;
    p = item(p, ae, sep);
    const an = ns, anl = <i32>(ne - ns), av = vs, avl = <i32>(ve - vs);
    if (findItem(bp, be, sep, an, anl)) {
      if (!escEq(av, avl, vs, <i32>(ve - vs), sep == 59)) return false;
    } else if (sep != 59 || wordIndex(an, anl, T("user ttl method maddr transport")) >= 0) return false;
  }
  return true;
}

/** Span k (0 all, 1 user, 2 password, 3 host, 4 params, 5 headers) of a parsed URI. */
function part(u: SipUri, k: i32): Span { return changetype<Span>(changetype<usize>(u.all) + (<usize>k << 3)); }

/**
 * RFC 3261 19.1.4: true when two parsed sip/sips URIs (over bases ab and bb) are equivalent:
 * same scheme, userinfo case-sensitive, host case-insensitive, same explicit port; parameters in
 * both agree; user, ttl, method, maddr, transport in only one never match; headers all in both.
 * Other schemes compare byte for byte, case-insensitively. More than 32 parameters or headers in
 * one URI: not equal (bounded work).
 */
export function uriEqual(ab: usize, a: SipUri, bb: usize, b: SipUri): bool {
  if (a.scheme != b.scheme || a.port != b.port) return false;
  const sip = a.scheme == S_SIP || a.scheme == S_SIPS, last = sip ? 6 : 1;
  for (let k = sip ? 1 : 0; k < last; k++) {
    const x = part(a, k), y = part(b, k);
    if (k < 4 ? !escEq(ab + <usize>x.off, x.len, bb + <usize>y.off, y.len, k != 1 && k != 2)
        : !agree(ab, x, bb, y, k == 4 ? 59 : 38) || !agree(bb, y, ab, x, k == 4 ? 59 : 38)) return false;
  }
  return true;
}
