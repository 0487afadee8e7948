// SIP message building into a Writer (RFC 3261 8.1.1 requests, 8.2.6 responses, 18.2.1 and
// RFC 3581 received/rport, 20 header syntax). Writers flag overflow instead of failing midway:
// build the whole message, then check w.ok once. Random parts (branch, tags, Call-ID) come from
// sys/random (hardware entropy), 64 bits or more each.
import { Writer, parseIp4 } from "../sys/bytes";
import * as random from "../sys/random";
import { USER_AGENT, SIP_WARN_AGENT } from "../config";
import { SipMsg, H_VIA, H_FROM, H_TO, H_CALL_ID, H_CSEQ, M_COUNT, headerNamePtr, headerNameLen, methodNamePtr,
  methodNameLen, errorText } from "./msg";
import { UasPolicy, uas, checkErr, unsupported } from "./validate";
import { T, Text, textLen, textAt } from "../sys/text";

const tagBuf = memory.data(16);
const tagW = new Writer(tagBuf, 16);

/** RFC 3261 8.1.1.7: every branch this UA creates starts with it. */
export const BRANCH_COOKIE = T("z9hG4bK");

// Reason phrases (RFC 3261 21 and extensions), "code phrase" per line; one literal (continued
// lines, no '+': a concatenation would be built at run time).
const REASONS = T("100 Trying\n180 Ringing\n181 Call Is Being Forwarded\n182 Queued\n183 Session Progress\n\
200 OK\n202 Accepted\n400 Bad Request\n401 Unauthorized\n403 Forbidden\n404 Not Found\n\
405 Method Not Allowed\n406 Not Acceptable\n407 Proxy Authentication Required\n408 Request Timeout\n\
415 Unsupported Media Type\n416 Unsupported URI Scheme\n420 Bad Extension\n422 Session Interval Too Small\n\
423 Interval Too Brief\n480 Temporarily Unavailable\n481 Call/Transaction Does Not Exist\n\
482 Loop Detected\n483 Too Many Hops\n486 Busy Here\n487 Request Terminated\n488 Not Acceptable Here\n\
491 Request Pending\n500 Server Internal Error\n501 Not Implemented\n503 Service Unavailable\n\
505 Version Not Supported\n603 Decline\n");

/** Writes the standard reason phrase of a status code (for unknown codes by class: "Progress",
 *  "OK", "Redirect", "Error"). */
export function reason(w: Writer, code: i32): Writer {
  const n = textLen(REASONS);
  let i = 0;
  while (i < n) {
    const c = (textAt(REASONS, i) - 48) * 100 + (textAt(REASONS, i + 1) - 48) * 10 + textAt(REASONS, i + 2) - 48;
    let e = i + 4;
    while (textAt(REASONS, e) != 10) e++;
    if (c == code) {
      for (let k = i + 4; k < e; k++) w.byte(textAt(REASONS, k));
      return w;
    }
    i = e + 1;
  }
  return w.str(code < 200 ? T("Progress") : code < 300 ? T("OK") : code < 400 ? T("Redirect") : T("Error"));
}

// ---- responses

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
  w.str(T("SIP/2.0 ")).dec(<u64>code).byte(32);
  if (text != 0) w.str(text); else reason(w, code);
  w.crlf();
  const base = req.base;
  let first = true;
  for (let i = req.find(H_VIA); i >= 0; i = req.find(H_VIA, i)) {
    w.str(T("Via: "));
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
  copyHeader(w, req, H_FROM, req.find(H_FROM));
  const to = req.find(H_TO);
  if (to >= 0) {
    header(w, H_TO).bytes(base + <usize>req.hdrValueOff(to), req.hdrValueLen(to));
    if (toTagLen > 0 && req.toTag.len == 0 && req.toUri.len > 0) w.str(T(";tag=")).bytes(toTag, toTagLen);
    w.crlf();
  }
  copyHeader(w, req, H_CALL_ID, req.find(H_CALL_ID));
  return copyHeader(w, req, H_CSEQ, req.find(H_CSEQ));
}

/** "Name: value" CRLF for header i of m under id's canonical name; nothing when i < 0. */
function copyHeader(w: Writer, m: SipMsg, id: i32, i: i32): Writer {
  if (i < 0) return w;
  return header(w, id).bytes(m.base + <usize>m.hdrValueOff(i), m.hdrValueLen(i)).crlf();
}

/** Writes every header with this id from m, in order, under its canonical name (e.g. the
 *  Record-Route values a dialog-creating response copies, RFC 3261 12.1.1). */
export function copyHeaders(w: Writer, m: SipMsg, id: i32): Writer {
  for (let i = m.find(id); i >= 0; i = m.find(id, i)) copyHeader(w, m, id, i);
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
  const text = errorText(checkErr);
  response(w, req, code, code == 400 ? text : 0, toTag, toTagLen, srcIp, srcPort);
  if (code == 400) w.str(T("Warning: 399 ")).str(SIP_WARN_AGENT).str(T(" \"")).str(text).byte(34).crlf();
  else if (code == 405 || code == 501) allow(w, pol.allow);
  else if (code == 415) w.str(T("Accept: application/sdp\r\nAccept-Encoding: identity\r\n"));
  else if (code == 420) { w.str(T("Unsupported: ")); unsupported(req, pol, w); w.crlf(); }
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
  w.str(T("Via: SIP/2.0/UDP "));
  if (hostLen > 0) w.bytes(host, hostLen); else w.ip4(ip);
  return w.byte(58).dec(<u64>port).str(T(";rport;branch=")).bytes(branch, branchLen).crlf();
}

/** "Max-Forwards: 70" (RFC 3261 8.1.1.6). */
export function maxForwards(w: Writer): Writer { return w.str(T("Max-Forwards: 70")).crlf(); }

/** "Name: " for a header id. */
export function header(w: Writer, id: i32): Writer { return w.bytes(headerNamePtr(id), headerNameLen(id)).str(T(": ")); }

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

/** "Contact: <uri>" with ;expires=n when expires >= 0. */
export function contact(w: Writer, uri: usize, uriLen: i32, expires: i32 = -1): Writer {
  w.str(T("Contact: <")).bytes(uri, uriLen).byte(62);
  if (expires >= 0) w.str(T(";expires=")).dec(<u64>expires);
  return w.crlf();
}

/** "User-Agent: ..." from config. */
export function userAgent(w: Writer): Writer { return w.str(T("User-Agent: ")).str(USER_AGENT).crlf(); }

/** "Server: ..." from config. */
export function server(w: Writer): Writer { return w.str(T("Server: ")).str(USER_AGENT).crlf(); }

/** "Allow: INVITE, ACK, ..." for a method mask. */
export function allow(w: Writer, mask: u32): Writer {
  w.str(T("Allow: "));
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
  return w.str(T("Supported: ")).bytes(pol.supported, pol.supportedLen).crlf();
}

/** "Content-Type: type" (e.g. "application/sdp"). */
export function contentType(w: Writer, type: Text): Writer { return w.str(T("Content-Type: ")).str(type).crlf(); }

/** "Content-Length: n", the empty line, and the body (RFC 3261 18.3: always sent). */
export function end(w: Writer, body: usize = 0, bodyLen: i32 = 0): Writer {
  return w.str(T("Content-Length: ")).dec(<u64>bodyLen).crlf().crlf().bytes(body, bodyLen);
}
