// Via (RFC 3261 20.42, 18.2.1; grammar 25.1) with rport (RFC 3581): one via-parm =
// sent-protocol LWS sent-by *( SEMI via-params ), where SLASH = SWS "/" SWS allows LWS around
// the slashes (RFC 4475 3.1.1.1) and sent-by = host [ COLON port ] with IPv6 references.
// branch, received and rport are kept; maddr and ttl are only checked. One via-parm at a time:
// the result is module state, read right after parseVia.
import { at, C_TOKEN, skipWs, skipClass, digits, port, portValue, Span } from "./scan";
import { parseHost, ip6Ok } from "./uri";
import { params } from "./params";
import { parseIp4 } from "../sys/bytes";
import { T } from "../sys/text";

/** The spans of the last via-parm, relative to the base, in SipMsg's order (viaHost ...): host,
 *  transport, branch, received, and the whole "rport[=n]" parameter; 8 bytes each. */
export const viaSpans = memory.data(40);
/** sent-by port, 0 when absent. */
export let viaPort = 0;
/** rport: -1 absent, 0 without value, else the value. */
export let viaRport = -1;
/** sent-protocol and sent-by parsed: a response can be routed (18.2.2) even if a later
 *  parameter is malformed. */
export let viaSentBy = false;
/** End of the via-parm (trimmed), relative to the base. */
export let viaEnd = 0;

function span(i: i32): Span { return changetype<Span>(viaSpans + (<usize>i << 3)); }

/**
 * Parses one via-parm at p within [p, end) of a message at base into the via* state. Returns the
 * position of the ',' that ends it or `end`; 0 when malformed (viaSentBy tells how far it got).
 */
export function parseVia(base: usize, p: usize, end: usize): usize {
  viaSentBy = false; viaPort = 0; viaRport = -1;
  memory.fill(viaSpans, 0, 40);
  // protocol-name SLASH protocol-version SLASH transport, LWS
  let q = skipWs(p, end);
  for (let i = 0; ; i++) {
    p = q;
    q = skipClass(p, end, C_TOKEN);
    if (q == p) return 0;
    if (i == 2) break;
    q = skipWs(q, end);
    if (!at(q, end, 47)) return 0;
    q = skipWs(q + 1, end);
  }
  span(1).setAbs(base, p, q);
  p = skipWs(q, end);
  if (p == q) return 0;
  q = parseHost(p, end);
  if (q == 0) return 0;
  span(0).setAbs(base, p, q);
  if (at(q, end, 58)) {
    q = port(q, end);
    if (q == 0) return 0;
    viaPort = portValue;
  }
  viaSentBy = true;
  params.begin(base, q, end);
  while (params.next()) {
    const off = params.valOff, n = params.valLen;
    const vp = base + <usize>off, ve = vp + <usize>n;
    const bare = params.hasValue && !params.quoted;
    const x = digits(vp, ve);
    if (params.is(T("branch"))) {
      if (!params.token) return 0;
      span(2).set(off, n);
    } else if (params.is(T("received"))) {
      // RFC 3261 asks for a bare IPv6 address; some peers bracket it
      const b = n > 2 && load<u8>(vp) == 91 && load<u8>(ve - 1) == 93;
      if (!bare || parseIp4(vp, n) < 0 && !(b ? ip6Ok(vp + 1, ve - 1) : ip6Ok(vp, ve))) return 0;
      span(3).set(off, n);
    } else if (params.is(T("rport"))) {
      if (params.hasValue && (!bare || x <= 0 || x > 65535)) return 0;
      viaRport = params.hasValue ? <i32>x : 0;
      span(4).setAbs(base, base + <usize>params.nameOff, params.p);
    } else if (params.is(T("maddr")) ? !bare || parseHost(vp, ve) != ve : params.is(T("ttl")) && (!bare || <u64>x > 255)) {
      return 0;
    }
  }
  p = params.p;
  viaEnd = <i32>(p - base);
  if (params.err || (p < end && load<u8>(p) != 44)) return 0;
  return p;
}
