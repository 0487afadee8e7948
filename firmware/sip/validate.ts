// UAS checks before any application logic (RFC 3261 8.2, 8.2.1-8.2.3; 16.3 is for proxies and not
// done here): which response a request must get, in this order: malformed 400, version 505,
// missing mandatory header 400, unknown method 501 / not allowed 405, Request-URI scheme 416,
// Require 420, Accept 406, Content-Type / Content-Encoding 415. A request whose top Via cannot
// be read cannot be answered (no address to answer to): DROP. ACK is never answered. Responses
// that are malformed are dropped (RFC 3261 18.1.2 leaves no way to answer them).
import { SipMsg, M_OTHER, M_INVITE, M_ACK, M_BYE, M_CANCEL, M_OPTIONS, M_INFO,
  H_REQUIRE, H_ACCEPT, H_CONTENT_ENCODING, list, values, nextValue, E_OK, E_EMPTY, E_TOO_LONG, E_VERSION, E_NO_VIA,
  E_NO_FROM, E_NO_TO, E_NO_CALL_ID, E_NO_CSEQ, E_NO_CONTENT_TYPE } from "./msg";
import { S_SIP, S_SIPS } from "./uri";
import { at, find, C_TOKEN, skipClass, skipWs, Span } from "./scan";
import { params } from "./params";
import { Writer, eqNoCase, eqBytesNoCase } from "../sys/bytes";
import { T, Text, textLen, textPtr } from "../sys/text";

/** checkRequest/checkResponse: hand the message to the transaction layer. */
export const PASS = 0;
/** checkRequest/checkResponse: discard silently. */
export const DROP = -1;

/** Methods this user agent implements (bit per M_*): RFC 3261 core plus INFO. */
export const ALLOW_BASE: u32 = (1 << M_INVITE) | (1 << M_ACK) | (1 << M_BYE) | (1 << M_CANCEL) |
  (1 << M_OPTIONS) | (1 << M_INFO);

/** What the UA accepts; the owner extends it at start-up (uas.allow |= 1 << M_NOTIFY, ...). */
// @final with an explicit return: built over a zero-filled __new block, no field-by-field
// initialisation (the constructor sets the defaults).
@final export class UasPolicy {
  /** Methods answered (bit per M_*); others known get 405, unknown 501, both with Allow. */
  allow: u32 = ALLOW_BASE;
  /** Methods whose answer carries SDP: Accept must admit application/sdp, and a body must be
   *  application/sdp without content coding. */
  sdpMethods: u32 = 1 << M_INVITE;
  /** Supported option tags, comma-separated (Require checks and the Supported header). */
  supported: Text = T("timer");

  constructor() {
    const u = changetype<UasPolicy>(__new(offsetof<UasPolicy>(), idof<UasPolicy>()));
    u.allow = ALLOW_BASE;
    u.sdpMethods = 1 << M_INVITE;
    u.supported = T("timer");
    return u;
  }

  /** Sets the supported option tags (T("timer,100rel")); true. */
  setSupported(tags: Text): bool {
    this.supported = tags;
    return true;
  }

  /** The option tag [p, p+n) is supported (tokens compare case-insensitively, RFC 3261 7.3.1). */
  supports(p: usize, n: i32): bool {
    let s = textPtr(this.supported);
    const end = s + <usize>textLen(this.supported);
    while (s < end) {
      const e = find(s, end, 44);
      if (eqBytesNoCase(s, <i32>(e - s), p, n)) return true;
      s = e + 1;
    }
    return false;
  }
}

/** The UA's policy. */
export const uas = new UasPolicy();

/** Why the last checkRequest/checkResponse decided as it did: an E_* for errorText (0 = fine). */
export let checkErr: i32 = E_OK;


/**
 * The response a request must get before any application logic: PASS (0), DROP (-1, do not
 * answer), or a status code (400, 405, 406, 415, 416, 420, 501, 505). checkErr tells why.
 * build.ts rejection() writes the matching response.
 */
export function checkRequest(m: SipMsg, pol: UasPolicy = uas): i32 {
  checkErr = m.err;
  if (!m.isRequest || m.err == E_EMPTY || m.err == E_TOO_LONG) return DROP;
  if (m.method == M_ACK) return m.err == E_OK && mandatory(m, true) == E_OK ? PASS : DROP;
  if (!m.viaUsable) { if (m.err == E_OK) checkErr = E_NO_VIA; return DROP; }
  if (m.err != E_OK && m.err != E_VERSION) return 400;
  if (!m.versionOk) return 505;
  const miss = mandatory(m, true);
  if (miss != E_OK) { checkErr = miss; return 400; }
  const bit: u32 = 1 << <u32>m.method;
  if (m.method == M_OTHER) return 501;
  if ((pol.allow & bit) == 0) return 405;
  const sch = m.ruriParts.scheme;
  if (sch != S_SIP && sch != S_SIPS) return 416;
  if (m.method != M_CANCEL && unsupported(m, pol)) return 420;
  if ((pol.sdpMethods & bit) != 0) {
    if (!acceptsSdp(m)) return 406;
    if (m.body.len > 0 && (!isSdp(m, m.contentType) || hasCoding(m))) return 415;
  }
  return PASS;
}

/** PASS for a well-formed response with the headers a transaction needs, else DROP. */
export function checkResponse(m: SipMsg): i32 {
  checkErr = m.err;
  if (m.isRequest || m.err != E_OK) return DROP;
  if (!m.viaUsable) { checkErr = E_NO_VIA; return DROP; }
  checkErr = mandatory(m, false);
  return checkErr == E_OK ? PASS : DROP;
}

/** The first mandatory header (RFC 3261 8.1.1) missing, as E_NO_*, or E_OK. With `typed`, a body
 *  must have a Content-Type (20.15; a response lacking it is still taken, not to lose a call). */
function mandatory(m: SipMsg, typed: bool): i32 {
  if (m.viaCount == 0) return E_NO_VIA;
  if (m.fromUri.len == 0) return E_NO_FROM;
  if (m.toUri.len == 0) return E_NO_TO;
  if (m.callId.len == 0) return E_NO_CALL_ID;
  if (m.cseqMethodName.len == 0) return E_NO_CSEQ;
  if (typed && m.body.len > 0 && m.contentType.len == 0) return E_NO_CONTENT_TYPE;
  return E_OK;
}

/**
 * True when a Require header names an option tag pol does not support (RFC 3261 8.2.2.3). With
 * a writer, each such tag is written to it, comma-separated (the Unsupported header's value).
 */
export function unsupported(m: SipMsg, pol: UasPolicy, w: Writer | null = null): bool {
  let any = false;
  values(m, H_REQUIRE);
  while (nextValue()) {
    const it = list.item;
    if (it.len == 0 || pol.supports(m.ptr(it), it.len)) continue;
    if (w === null) return true;
    if (any) w.str(T(", "));
    w.bytes(m.ptr(it), it.len);
    any = true;
  }
  return any;
}

/** type/subtype [p, e) is `a`/`b` (any case, LWS around '/' allowed; `*` matches with wild). */
function mediaIs(p: usize, e: usize, a: Text, b: Text, wild: bool): bool {
  const t = skipClass(p, e, C_TOKEN);
  let s = skipWs(t, e);
  if (!at(s, e, 47)) return false;
  s = skipWs(s + 1, e);
  const u = skipClass(s, e, C_TOKEN);
  const tn = <i32>(t - p), un = <i32>(u - s);
  if (wild && tn == 1 && load<u8>(p) == 42) return un == 1 && load<u8>(s) == 42;
  if (!eqNoCase(p, tn, a)) return false;
  return eqNoCase(s, un, b) || (wild && un == 1 && load<u8>(s) == 42);
}

function isSdp(m: SipMsg, ct: Span): bool {
  return ct.len > 0 && mediaIs(m.ptr(ct), m.ptr(ct) + <usize>ct.len, T("application"), T("sdp"), false);
}

/** No Accept header, or one admitting application/sdp with q > 0 (RFC 3261 20.1: an empty
 *  Accept admits nothing). */
function acceptsSdp(m: SipMsg): bool {
  if (m.find(H_ACCEPT) < 0) return true;
  values(m, H_ACCEPT);
  while (nextValue()) {
    const p = m.ptr(list.item), e = p + <usize>list.item.len;
    const s = find(p, e, 59);
    if (!mediaIs(p, s, T("application"), T("sdp"), true)) continue;
    let q0 = false;
    params.begin(m.base, s, e);
    while (params.next()) {
      if (params.is(T("q")) && params.hasValue) {
        const vp = m.base + <usize>params.valOff;
        let z = vp;
        const ve = vp + <usize>params.valLen;
        while (z < ve && (load<u8>(z) == 48 || load<u8>(z) == 46)) z++;
        q0 = z == ve;
      }
    }
    if (!q0) return true;
  }
  return false;
}

/** A Content-Encoding other than identity. */
function hasCoding(m: SipMsg): bool {
  values(m, H_CONTENT_ENCODING);
  while (nextValue()) {
    if (!eqNoCase(m.ptr(list.item), list.item.len, T("identity"))) return true;
  }
  return false;
}
