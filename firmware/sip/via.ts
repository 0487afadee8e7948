// Via (RFC 3261 20.42, 18.2.1; grammar 25.1) with rport (RFC 3581): one via-parm =
// sent-protocol LWS sent-by *( SEMI via-params ), where SLASH = SWS "/" SWS allows LWS around
// the slashes (RFC 4475 3.1.1.1) and sent-by = host [ COLON port ] with IPv6 references.
import { C_TOKEN, C_DIGIT, skipWs, skipClass, digits, Span } from "./scan";
import { parseHost, ip6Ok, hostKind } from "./uri";
import { Params } from "./params";
import { parseIp4 } from "../sys/bytes";
import { T } from "../sys/text";

/** One parsed via-parm; spans relative to the message base. */
export class Via {
  protocol: Span = new Span();     // protocol-name "/" version, e.g. SIP/2.0 (LWS kept)
  transport: Span = new Span();
  host: Span = new Span();
  hostKind: i32 = 0;
  port: i32 = 0;                   // 0 when absent
  branch: Span = new Span();
  received: Span = new Span();
  maddr: Span = new Span();
  ttl: i32 = -1;
  rport: i32 = -1;                 // -1 absent, 0 without value, else the value
  rportAt: Span = new Span();      // the whole "rport[=n]" parameter
  /** sent-protocol and sent-by parsed: a response can be routed (18.2.2) even if a later
   *  parameter is malformed. */
  sentBy: bool = false;
  /** End of the via-parm (trimmed), relative to base. */
  end: i32 = 0;
}

const params = new Params();

/**
 * Parses one via-parm at p within [p, end) of a message at base into v. Returns the position of
 * the ',' that ends it or `end`; 0 when malformed (v.sentBy tells how far it got).
 */
export function parseVia(base: usize, p: usize, end: usize, v: Via): usize {
  v.sentBy = false; v.port = 0; v.ttl = -1; v.rport = -1;
  v.branch.clear(); v.received.clear(); v.maddr.clear(); v.rportAt.clear();
  p = skipWs(p, end);
  const ps = p;
  for (let i = 0; i < 2; i++) {
    const q = skipClass(p, end, C_TOKEN);
    if (q == p) return 0;
    p = skipWs(q, end);
    if (p >= end || load<u8>(p) != 47) return 0;
    if (i == 1) v.protocol.setAbs(base, ps, q);
    p = skipWs(p + 1, end);
  }
  let q = skipClass(p, end, C_TOKEN);
  if (q == p) return 0;
  v.transport.setAbs(base, p, q);
  p = skipWs(q, end);
  if (p == q) return 0;
  q = parseHost(p, end);
  if (q == 0) return 0;
  v.host.setAbs(base, p, q);
  v.hostKind = hostKind;
  p = q;
  if (p < end && load<u8>(p) == 58) {
    q = skipClass(p + 1, end, C_DIGIT);
    const n = digits(p + 1, q);
    if (n <= 0 || n > 65535) return 0;
    v.port = <i32>n;
    p = q;
  }
  v.sentBy = true;
  params.begin(base, p, end);
  while (params.next()) {
    if (!viaParam(base, v)) return 0;
  }
  if (params.err) return 0;
  p = params.p;
  v.end = <i32>(p - base);
  if (p < end && load<u8>(p) != 44) return 0;
  return p;
}

function viaParam(base: usize, v: Via): bool {
  const n = params.nameLen;
  const vp = base + <usize>params.valOff, ve = vp + <usize>params.valLen;
  if (params.is(T("branch"))) {
    if (!params.token) return false;
    v.branch.set(params.valOff, params.valLen);
  } else if (params.is(T("received"))) {
    if (!params.hasValue || params.quoted) return false;
    // RFC 3261 asks for a bare IPv6 address; some peers bracket it
    const b = params.valLen > 2 && load<u8>(vp) == 91 && load<u8>(ve - 1) == 93;
    if (parseIp4(vp, params.valLen) < 0 && !(b ? ip6Ok(vp + 1, ve - 1) : ip6Ok(vp, ve))) return false;
    v.received.set(params.valOff, params.valLen);
  } else if (params.is(T("rport"))) {
    let r = 0;
    if (params.hasValue) {
      const x = digits(vp, ve);
      if (params.quoted || x <= 0 || x > 65535) return false;
      r = <i32>x;
    }
    v.rport = r;
    v.rportAt.set(params.nameOff, params.hasValue ? <i32>(ve - base) - params.nameOff : n);
  } else if (params.is(T("maddr"))) {
    if (!params.hasValue || params.quoted || parseHost(vp, ve) != ve) return false;
    v.maddr.set(params.valOff, params.valLen);
  } else if (params.is(T("ttl"))) {
    const x = digits(vp, ve);
    if (params.quoted || x < 0 || x > 255) return false;
    v.ttl = <i32>x;
  }
  return true;
}
