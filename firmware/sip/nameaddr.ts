// name-addr / addr-spec (RFC 3261 20.10 and 25.1): `[display-name] <URI>` or a bare URI, as in
// From, To, Contact, Route, Record-Route, Refer-To. The display name is a quoted-string (with
// quoted-pairs) or tokens separated by LWS; LWS before '<' is optional (RFC 4475 3.1.1.6). In
// the bare form the URI may not hold ',', '?' or ';' (20.10: those force the angle brackets), so
// a ';' there starts the header parameters.
import { at, find, cls, C_TOKEN, C_WS, skipWs, skipClass, skipQuoted, deltaSeconds, EXPIRES_DEFAULT, spanFields, Span } from "./scan";
import { parseUri, SipUri } from "./uri";
import { params } from "./params";
import { T, Text } from "../sys/text";

// @final with an explicit return: built over a zero-filled __new block, no field-by-field
// initialisation (the declared defaults are zero unless set here).
@final export class NameAddr {
  /** First byte after the URI or its '>': where header parameters begin. */
  rest: usize = 0;
  /** The URI, without angle brackets. */
  uri: Span = changetype<Span>(0);
  /** Display name: inside the quotes for a quoted-string (quoted-pairs as written), else the
   *  tokens; len 0 when absent. */
  display: Span = changetype<Span>(0);
  constructor() {
    const n = __new(offsetof<NameAddr>(), idof<NameAddr>());
    spanFields(n, offsetof<NameAddr>(), 2);
    return changetype<NameAddr>(n);
  }
}

/**
 * Parses a name-addr or addr-spec at p within [p, end) of a message at base; the URI is parsed
 * into u. `list`: a ',' ends a bare URI (list headers). `angle`: only name-addr is allowed
 * (Route, Record-Route). Returns false when malformed (unterminated quote or '<', non-token
 * display name, bad URI, '?' or ',' in a bare URI).
 */
export function parseNameAddr(base: usize, p: usize, end: usize, list: bool, angle: bool, out: NameAddr, u: SipUri): bool {
  out.display.clear();
  p = skipWs(p, end);
  if (p >= end) return false;
  let c = <u32>load<u8>(p);
  if (c == 34) {
    const q = skipQuoted(p, end);
    if (q == 0) return false;
    out.display.setAbs(base, p + 1, q - 1);
    p = skipWs(q, end);
    if (!at(p, end, 60)) return false;
  } else if (c != 60) {
    // Tokens then '<' make a display name; anything else is a bare URI from p.
    let q = p, last = p;
    while (true) {
      const t = skipClass(q, end, C_TOKEN);
      if (t == q) break;
      last = t;
      q = skipWs(t, end);
    }
    if (at(q, end, 60) && last > p) {
      out.display.setAbs(base, p, last);
      p = q;
    }
  }
  let s = p;
  if (load<u8>(p) == 60) {
    s++;
    p = find(p, end, 62);                           // what is inside, parseUri checks
    if (p >= end) return false;
    out.rest = p + 1;
  } else {
    if (angle) return false;
    while (p < end) {
      c = <u32>load<u8>(p);
      if (c == 59 || (cls(c) & C_WS) != 0 || (c == 44 && list)) break;
      if (c == 44 || c == 63) return false;
      p++;
    }
    out.rest = p;
  }
  out.uri.setAbs(base, s, p);
  return parseUri(base, out.uri.off, out.uri.len, u);
}

/** The parameter nameAddrParams looked for: found, its value (relative to the base), and
 *  whether it was quoted or a token. */
export let paramFound = false;
export let paramOff = 0, paramLen = 0;
export let paramQuoted = false;
/** Every occurrence of the parameter was a token. */
export let paramToken = true;

/**
 * A name-addr or addr-spec (see parseNameAddr) and its header parameters, up to the ',' that
 * ends it in a list or to `end`: the value of parameter `name` (0: none) lands in param*.
 * Returns the position of that ',' or `end`; 0 when malformed.
 */
export function nameAddrParams(base: usize, p: usize, end: usize, list: bool, angle: bool, out: NameAddr, u: SipUri, name: Text): usize {
  paramFound = false;
  paramToken = true;
  if (!parseNameAddr(base, p, end, list, angle, out, u)) return 0;
  params.begin(base, out.rest, end);
  while (params.next()) {
    if (name != 0 && params.is(name)) {
      paramFound = true;
      paramOff = params.valOff; paramLen = params.valLen;
      paramQuoted = params.quoted;
      paramToken = paramToken && params.token;
    }
  }
  const q = params.p;
  return params.err || (q < end && (!list || load<u8>(q) != 44)) ? 0 : q;
}

/** The expires parameter of the last contact parseContact read (-1 when it had none). */
export let contactExpires: i32 = -1;

/**
 * Parses one contact-param (RFC 3261 20.10) at p: a name-addr or addr-spec into out and u, then
 * its parameters; expires (delta-seconds, EXPIRES_DEFAULT when malformed) lands in contactExpires.
 * Returns the position of the ',' that ends it or `end`; 0 when malformed.
 */
export function parseContact(base: usize, p: usize, end: usize, out: NameAddr, u: SipUri): usize {
  const q = nameAddrParams(base, p, end, true, false, out, u, T("expires"));
  const vp = base + <usize>paramOff;
  contactExpires = !paramFound ? -1 : paramQuoted ? EXPIRES_DEFAULT : deltaSeconds(vp, vp + <usize>paramLen);
  return q;
}
