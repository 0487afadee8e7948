// Via (RFC 3261 20.42, 18.2.1; grammar 25.1) with rport (RFC 3581): one via-parm =
// sent-protocol LWS sent-by *( SEMI via-params ), where SLASH = SWS "/" SWS allows LWS around
// the slashes (RFC 4475 3.1.1.1) and sent-by = host [ COLON port ] with IPv6 references.
// branch, received and rport are kept; maddr and ttl are only checked.
import { C_TOKEN, skipWs, skipClass, digits, port, portValue, spanFields, Span } from "./scan";
import { parseHost, ip6Ok } from "./uri";
import { Params } from "./params";
import { parseIp4 } from "../sys/bytes";
import { T } from "../sys/text";

/** One parsed via-parm; spans relative to the message base. */
export class Via {
  port: i32 = 0;                   // 0 when absent
  rport: i32 = -1;                 // -1 absent, 0 without value, else the value
  /** sent-protocol and sent-by parsed: a response can be routed (18.2.2) even if a later
   *  parameter is malformed. */
  sentBy: bool = false;
  /** End of the via-parm (trimmed), relative to base. */
  end: i32 = 0;
  // in SipMsg's order (viaHost ...), one block
  host: Span = changetype<Span>(0);
  transport: Span = changetype<Span>(0);
  branch: Span = changetype<Span>(0);
  received: Span = changetype<Span>(0);
  rportAt: Span = changetype<Span>(0);                  // the whole "rport[=n]" parameter
  constructor() { spanFields(changetype<usize>(this), offsetof<Via>(), 5); }
}

const params = new Params();

/**
 * Parses one via-parm at p within [p, end) of a message at base into v. Returns the position of
 * the ',' that ends it or `end`; 0 when malformed (v.sentBy tells how far it got).
 */
export function parseVia(base: usize, p: usize, end: usize, v: Via): usize {
  v.sentBy = false; v.port = 0; v.rport = -1;
  memory.fill(changetype<usize>(v.host), 0, 40);
  p = skipWs(p, end);
  for (let i = 0; i < 2; i++) {
    const q = skipClass(p, end, C_TOKEN);
    if (q == p) return 0;
    p = skipWs(q, end);
    if (p >= end || load<u8>(p) != 47) return 0;
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
  if (q < end && load<u8>(q) == 58) {
    q = port(q, end);
    if (q == 0) return 0;
    v.port = portValue;
  }
  v.sentBy = true;
  params.begin(base, q, end);
  while (params.next()) {
    if (!viaParam(base, v)) return 0;
  }
  p = params.p;
  v.end = <i32>(p - base);
  if (params.err || (p < end && load<u8>(p) != 44)) return 0;
  return p;
}

function viaParam(base: usize, v: Via): bool {
  const off = params.valOff, n = params.valLen;
  const vp = base + <usize>off, ve = vp + <usize>n;
  const bare = params.hasValue && !params.quoted;
  if (params.is(T("branch"))) {
    if (!params.token) return false;
    v.branch.set(off, n);
  } else if (params.is(T("received"))) {
    // RFC 3261 asks for a bare IPv6 address; some peers bracket it
    const b = n > 2 && load<u8>(vp) == 91 && load<u8>(ve - 1) == 93;
    if (!bare || parseIp4(vp, n) < 0 && !(b ? ip6Ok(vp + 1, ve - 1) : ip6Ok(vp, ve))) return false;
    v.received.set(off, n);
  } else if (params.is(T("rport"))) {
    const x = digits(vp, ve);
    if (params.hasValue && (!bare || x <= 0 || x > 65535)) return false;
    v.rport = params.hasValue ? <i32>x : 0;
    v.rportAt.setAbs(base, base + <usize>params.nameOff, params.p);
  } else if (params.is(T("maddr"))) {
    if (!bare || parseHost(vp, ve) != ve) return false;
  } else if (params.is(T("ttl"))) {
    const x = digits(vp, ve);
    if (!bare || <u64>x > 255) return false;
  }
  return true;
}
