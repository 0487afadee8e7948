// SIP message building into a Writer (RFC 3261 8.1.1 requests, 8.2.6 responses, 18.2.1 and
// RFC 3581 received/rport, 20 header syntax). Writers flag overflow instead of failing midway:
// build the whole message, then check w.ok once. Random parts (branch, tags, Call-ID) come from
// sys/random (hardware entropy), 64 bits or more each.
import { Writer, parseIp4 } from "../sys/bytes";
import * as random from "../sys/random";
import { USER_AGENT, SIP_WARN_AGENT } from "../config";
import { SipMsg, H_VIA, H_FROM, H_TO, H_CALL_ID, H_CSEQ, H_CONTACT, H_MAX_FORWARDS, H_CONTENT_LENGTH,
  H_CONTENT_TYPE, H_USER_AGENT, H_SERVER, H_ALLOW, H_SUPPORTED, H_UNSUPPORTED, H_WARNING, H_ACCEPT,
  H_ACCEPT_ENCODING, M_COUNT, headerNamePtr, headerNameLen, methodNamePtr, methodNameLen, errorText } from "./msg";
import { UasPolicy, uas, checkErr, unsupported } from "./validate";
import { T, Text, textLen, textAt, textPtr } from "../sys/text";

const tagBuf = memory.data(16);
const tagW = new Writer(tagBuf, 16);

/** RFC 3261 8.1.1.7: every branch this UA creates starts with it. */
export const BRANCH_COOKIE = T("z9hG4bK");

// Reason phrases (RFC 3261 21 and extensions) of the codes a UA sends, "code phrase" per line;
// one literal (continued lines, no '+': a concatenation would be built at run time).
const REASONS = T("100Trying\n180Ringing\n183Session Progress\n200OK\n400Bad Request\n403Forbidden\n\
404Not Found\n405Method Not Allowed\n406Not Acceptable\n408Request Timeout\n415Unsupported Media Type\n\
416Unsupported URI Scheme\n420Bad Extension\n422Session Interval Too Small\n480Temporarily Unavailable\n\
481Call/Transaction Does Not Exist\n482Loop Detected\n486Busy Here\n487Request Terminated\n\
488Not Acceptable Here\n491Request Pending\n500Server Internal Error\n501Not Implemented\n\
503Service Unavailable\n505Version Not Supported\n603Decline\n");

/** Writes the standard reason phrase of a status code (for other codes by class: "Progress",
 *  "OK", "Redirect", "Error"). */
export function reason(w: Writer, code: i32): Writer {
  const n = textLen(REASONS);
  let i = 0;
  while (i < n) {
    const c = textAt(REASONS, i) * 100 + textAt(REASONS, i + 1) * 10 + textAt(REASONS, i + 2) - 5328;
    let e = i + 3;
    while (textAt(REASONS, e) != 10) e++;
    if (c == code) return w.bytes(textPtr(REASONS) + <usize>i + 3, e - i - 3);
    i = e + 1;
  }
  return w.str(code < 200 ? T("Progress") : code < 300 ? T("OK") : code < 400 ? T("Redirect") : T("Error"));
}

// ---- responses

/** "SIP/2.0 code " */
function statusLine(w: Writer, code: i32): Writer { return w.str(T("SIP/2.0 ")).dec(<u64>code).byte(32); }

/**
 * Writes a response's status line (reason phrase `text`, or the standard one) and the headers it
 * copies from the request (RFC 3261 8.2.6.2):
 * every Via value in order, From, To (adding ;tag=toTag when the request's To has none and a
 * tag is given), Call-ID, CSeq. With the request's source address (srcIp != 0), the top Via gets
 * ;received= (18.2.1: when sent-by is not that address; RFC 3581: always when rport is present)
 * and rport gets its value. The caller adds its headers, then end().
 */
export function response(w: Writer, req: SipMsg, code: i32, text: Text = 0,
    toTag: usize = 0, toTagLen: i32 = 0, srcIp: u32 = 0, srcPort: i32 = 0): Writer {
  statusLine(w, code);
  if (text != 0) w.str(text); else reason(w, code);
  return echo(w.crlf(), req, toTag, toTagLen, srcIp, srcPort);
}

/** The headers a response copies from its request (see response). */
function echo(w: Writer, req: SipMsg, toTag: usize, toTagLen: i32, srcIp: u32, srcPort: i32): Writer {
  const base = req.base;
  let first = true;
  for (let i = req.find(H_VIA); i >= 0; i = req.find(H_VIA, i)) {
    header(w, H_VIA);
    const vo = req.hdrValueOff(i), ve = vo + req.hdrValueLen(i);
    let at = vo;
    if (first && srcIp != 0 && req.viaTopEnd >= 0) {
      const ra = req.viaRportAt;
      if (ra.len > 0 && srcPort > 0) {
        w.bytes(base + <usize>at, ra.off - at).str(T("rport=")).dec(<u64>srcPort);
        at = ra.end;
      }
      w.bytes(base + <usize>at, req.viaTopEnd - at);
      at = req.viaTopEnd;
      if (req.viaReceived.len == 0 && (ra.len > 0 || parseIp4(req.ptr(req.viaHost), req.viaHost.len) != <i64>srcIp)) {
        w.str(T(";received=")).ip4(srcIp);
      }
    }
    w.bytes(base + <usize>at, ve - at).crlf();
    first = false;
  }
  for (let id = H_FROM; id <= H_CSEQ; id++) {
    const i = req.find(id);
    if (i < 0) continue;
    header(w, id).bytes(base + <usize>req.hdrValueOff(i), req.hdrValueLen(i));
    if (id == H_TO && toTagLen > 0 && req.toTag.len == 0 && req.toUri.len > 0) w.str(T(";tag=")).bytes(toTag, toTagLen);
    w.crlf();
  }
  return w;
}

/** Writes every header with this id from m, in order, under its canonical name (e.g. the
 *  Record-Route values a dialog-creating response copies, RFC 3261 12.1.1). */
export function copyHeaders(w: Writer, m: SipMsg, id: i32): Writer {
  for (let i = m.find(id); i >= 0; i = m.find(id, i)) header(w, id).bytes(m.base + <usize>m.hdrValueOff(i), m.hdrValueLen(i)).crlf();
  return w;
}

/**
 * Writes the complete response for a checkRequest() status: 400 with errorText(checkErr) as the
 * reason phrase and in a Warning: 399 header, 405 and 501 with Allow, 415 with Accept and
 * Accept-Encoding, 420 with Unsupported, others plain; all with Server and Content-Length: 0.
 * The To tag (RFC 3261 8.2.6.2) is toTag, or a new random one. Check w.ok afterwards.
 */
export function rejection(w: Writer, req: SipMsg, code: i32, pol: UasPolicy = uas, toTag: usize = 0,
    toTagLen: i32 = 0, srcIp: u32 = 0, srcPort: i32 = 0): Writer {
  if (toTagLen == 0) {
    newTag(tagW.reset());
    toTag = tagBuf; toTagLen = tagW.len;
  }
  const bad = code == 400;
  statusLine(w, code);
  if (bad) errorText(w, checkErr); else reason(w, code);
  echo(w.crlf(), req, toTag, toTagLen, srcIp, srcPort);
  if (bad) errorText(header(w, H_WARNING).str(T("399 ")).str(SIP_WARN_AGENT).str(T(" \"")), checkErr).byte(34).crlf();
  if (code == 405 || code == 501) allow(w, pol.allow);
  if (code == 415) {
    header(w, H_ACCEPT).str(T("application/sdp")).crlf();
    header(w, H_ACCEPT_ENCODING).str(T("identity")).crlf();
  }
  if (code == 420) { unsupported(req, pol, header(w, H_UNSUPPORTED)); w.crlf(); }
  server(w);
  return end(w);
}

// ---- requests and common headers

/** "METHOD uri SIP/2.0" CRLF. */
export function requestLine(w: Writer, method: i32, uri: usize, uriLen: i32): Writer {
  return methodName(w, method).byte(32).bytes(uri, uriLen).str(T(" SIP/2.0")).crlf();
}

/** A new branch: the magic cookie and 64 random bits in hex (RFC 3261 8.1.1.7). */
export function newBranch(w: Writer): Writer { return random.hex(w.str(BRANCH_COOKIE), 16); }

/** A new From/To tag: 64 random bits in hex (RFC 3261 19.3 asks for at least 32). */
export function newTag(w: Writer): Writer { return random.hex(w, 16); }

/** A new Call-ID: 96 random bits in hex (RFC 3261 8.1.1.4). */
export function newCallId(w: Writer): Writer { return random.hex(w, 24); }

/** "Via: SIP/2.0/UDP host:port;rport;branch=b" (RFC 3261 18.1.1, RFC 3581): host as bytes, or
 *  the IPv4 address ip when hostLen is 0. */
export function via(w: Writer, ip: u32, host: usize, hostLen: i32, port: i32, branch: usize, branchLen: i32): Writer {
  header(w, H_VIA).str(T("SIP/2.0/UDP "));
  if (hostLen > 0) w.bytes(host, hostLen); else w.ip4(ip);
  return w.byte(58).dec(<u64>port).str(T(";rport;branch=")).bytes(branch, branchLen).crlf();
}

/** "Max-Forwards: 70" (RFC 3261 8.1.1.6). */
export function maxForwards(w: Writer): Writer { return header(w, H_MAX_FORWARDS).dec(70).crlf(); }

/** "Name: " for a header id. */
export function header(w: Writer, id: i32): Writer { return w.bytes(headerNamePtr(id), headerNameLen(id)).byte(58).byte(32); }

/** A method's name (M_*, not M_OTHER). */
export function methodName(w: Writer, id: i32): Writer { return w.bytes(methodNamePtr(id), methodNameLen(id)); }

/**
 * A name-addr header, e.g. From: "Door" <sip:door@pbx>;tag=abc. The display name (UTF-8 bytes,
 * may be empty) is quoted with '"' and '\' escaped; the tag is left out when tagLen is 0.
 */
export function nameAddr(w: Writer, id: i32, disp: usize, dispLen: i32, uri: usize, uriLen: i32, tag: usize = 0, tagLen: i32 = 0): Writer {
  header(w, id);
  if (dispLen > 0) quoted(w, disp, dispLen).byte(32);
  w.byte(60).bytes(uri, uriLen).byte(62);
  if (tagLen > 0) w.str(T(";tag=")).bytes(tag, tagLen);
  return w.crlf();
}

/** A quoted-string of the bytes [p, p+n): '"' and '\\' escaped, control bytes but HT left out. */
export function quoted(w: Writer, p: usize, n: i32): Writer {
  w.byte(34);
  for (let i = 0; i < n; i++) {
    const c = <i32>load<u8>(p + <usize>i);
    if (c == 34 || c == 92) w.byte(92);
    if (c >= 32 || c == 9) w.byte(c);
  }
  return w.byte(34);
}

/** "Call-ID: id". */
export function callId(w: Writer, id: usize, idLen: i32): Writer { return header(w, H_CALL_ID).bytes(id, idLen).crlf(); }

/** "CSeq: n METHOD". */
export function cseq(w: Writer, n: u32, method: i32): Writer {
  return methodName(header(w, H_CSEQ).dec(<u64>n).byte(32), method).crlf();
}

/** contact()'s default: no expires parameter (inlined: no varargs stub, see msg.ts NO_HEADER). */
// @ts-ignore: decorator
@inline const NO_EXPIRES: i32 = -1;

/** "Contact: <uri>" with ;expires=n when expires >= 0. */
export function contact(w: Writer, uri: usize, uriLen: i32, expires: i32 = NO_EXPIRES): Writer {
  header(w, H_CONTACT).byte(60).bytes(uri, uriLen).byte(62);
  if (expires >= 0) w.str(T(";expires=")).dec(<u64>expires);
  return w.crlf();
}

/** "User-Agent: ..." from config. */
export function userAgent(w: Writer): Writer { return header(w, H_USER_AGENT).str(USER_AGENT).crlf(); }

/** "Server: ..." from config. */
export function server(w: Writer): Writer { return header(w, H_SERVER).str(USER_AGENT).crlf(); }

/** "Allow: INVITE, ACK, ..." for a method mask. */
export function allow(w: Writer, mask: u32): Writer {
  header(w, H_ALLOW);
  let sep = false;
  for (let m = 1; m < M_COUNT; m++) {
    if ((mask & (<u32>1 << <u32>m)) == 0) continue;
    if (sep) w.str(T(", "));
    methodName(w, m);
    sep = true;
  }
  return w.crlf();
}

/** "Supported: ..." from the policy's option tags. */
export function supported(w: Writer, pol: UasPolicy = uas): Writer {
  return header(w, H_SUPPORTED).str(pol.supported).crlf();
}

/** "Content-Type: type" (e.g. "application/sdp"). */
export function contentType(w: Writer, type: Text): Writer { return header(w, H_CONTENT_TYPE).str(type).crlf(); }

/** "Content-Length: n", the empty line, and the body (RFC 3261 18.3: always sent). */
export function end(w: Writer, body: usize = 0, bodyLen: i32 = 0): Writer {
  return header(w, H_CONTENT_LENGTH).dec(<u64>bodyLen).crlf().crlf().bytes(body, bodyLen);
}
