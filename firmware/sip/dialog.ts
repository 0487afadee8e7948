// Dialogs (RFC 3261 section 12): the state two user agents share for a call and the requests
// inside it. A Leg is one INVITE's dialog, ours (UAC, 12.1.2) or theirs (UAS, 12.1.1): Call-ID,
// the tags, our and their name-addr, the remote target (Contact, refreshed by re-INVITE 12.2),
// the route set (Record-Route; reversed for the UAC) kept as ready-to-write Route lines, and the
// CSeq numbers. Requests follow the route set with loose routing (16.12; a strict router, one
// without ;lr, is not supported) and go to the address the dialog started with: the proxy that
// recorded the route, or the peer itself.
import { Writer, eqBytes } from "../sys/bytes";
import { T } from "../sys/text";
import { SipMsg, H_RECORD_ROUTE, H_CONTACT, H_FROM, H_TO, H_CALL_ID, ListIter } from "./msg";
import * as build from "./build";
import * as transport from "./transport";

export const ROUTES_CAP: i32 = 600;
const HDR_CAP: i32 = 256;

// A leg's buffers lie just before its object, in one static block (call.ts places them):
// Call-ID, our and their name-addr, our and their tag, the remote target, the route set.
const CALL_ID_AT: usize = 0, LOCAL_AT: usize = 256, REMOTE_AT: usize = 512, LOCAL_TAG_AT: usize = 772,
  REMOTE_TAG_AT: usize = 804, TARGET_AT: usize = 868, ROUTES_AT: usize = 1124;
/** The bytes of a leg's buffers, before its object. */
export const LEG_BUFS: usize = 1728;

export class Leg {
  @inline get callId(): usize { return changetype<usize>(this) - LEG_BUFS + CALL_ID_AT; }
  callIdLen: i32 = 0;
  /** Our name-addr with our tag (From of our requests), their name-addr with their tag. */
  @inline get local(): usize { return changetype<usize>(this) - LEG_BUFS + LOCAL_AT; }
  localLen: i32 = 0;
  /** (HDR_CAP + 2: "<Request-URI>" before the 2xx, call.ts) */
  @inline get remote(): usize { return changetype<usize>(this) - LEG_BUFS + REMOTE_AT; }
  remoteLen: i32 = 0;
  @inline get localTag(): usize { return changetype<usize>(this) - LEG_BUFS + LOCAL_TAG_AT; }
  localTagLen: i32 = 0;
  @inline get remoteTag(): usize { return changetype<usize>(this) - LEG_BUFS + REMOTE_TAG_AT; }
  remoteTagLen: i32 = 0;
  /** Remote target URI (their Contact). */
  @inline get target(): usize { return changetype<usize>(this) - LEG_BUFS + TARGET_AT; }
  targetLen: i32 = 0;
  /** "Route: <...>" lines, CRLF-ended, in the order to send them. */
  @inline get routes(): usize { return changetype<usize>(this) - LEG_BUFS + ROUTES_AT; }
  routesLen: i32 = 0;
  localSeq: u32 = 0;
  remoteSeq: u32 = 0;
  /** Where requests of the dialog go. */
  ip: u32 = 0;
  port: i32 = 0;

  /** Forgets everything (a new call). */
  clear(): void {
    this.callIdLen = 0; this.localLen = 0; this.remoteLen = 0; this.localTagLen = 0; this.remoteTagLen = 0;
    this.targetLen = 0; this.routesLen = 0; this.localSeq = 0; this.remoteSeq = 0;
  }
}

const list = new ListIter();

function copyInto(dst: usize, cap: i32, p: usize, n: i32): i32 {
  if (n > cap || n < 0) return 0;
  memory.copy(dst, p, <usize>n);
  return n;
}

/** Takes their Contact from m as the remote target; false when m has none usable. */
export function takeTarget(l: Leg, m: SipMsg): bool {
  const i = m.find(H_CONTACT, -1);
  if (i < 0 || m.contactUri.len == 0 || m.contactUri.len > HDR_CAP) return false;
  l.targetLen = copyInto(l.target, HDR_CAP, m.ptr(m.contactUri), m.contactUri.len);
  return true;
}

/**
 * Takes the route set from m's Record-Route values: in order for the UAS (12.1.1), reversed for
 * the UAC (12.1.2). Route sets longer than the buffer are refused (false): the call cannot
 * follow them.
 */
export function takeRoutes(l: Leg, m: SipMsg, reverse: bool): bool {
  const r = l.routes;
  let len = 0;
  // Each value becomes one line; for the UAC, prepended instead of appended.
  for (let i = m.find(H_RECORD_ROUTE, -1); i >= 0; i = m.find(H_RECORD_ROUTE, i)) {
    list.begin(m.base, m.hdrValueOff(i), m.hdrValueLen(i));
    while (list.next()) {
      const n = list.item.len;
      const line = 9 + n; // "Route: " + value + CRLF
      if (len + line > ROUTES_CAP) return false;
      let at = r + <usize>len;
      if (reverse) { memory.copy(r + <usize>line, r, <usize>len); at = r; }
      rw.base = at; rw.cap = line;
      rw.reset().str(T("Route: ")).bytes(m.base + <usize>list.item.off, n).crlf();
      len += line;
    }
  }
  l.routesLen = len;
  return true;
}
const rw = new Writer(0, 0);

/** Sets the Call-ID from m. */
export function takeCallId(l: Leg, m: SipMsg): void {
  l.callIdLen = copyInto(l.callId, HDR_CAP, m.ptr(m.callId), m.callId.len);
}

/** Copies header `id` of m (its whole value) into dst; returns its length (0 when too long). */
export function takeHeader(dst: usize, m: SipMsg, id: i32): i32 {
  const i = m.find(id, -1);
  return i < 0 ? 0 : copyInto(dst, HDR_CAP, m.base + <usize>m.hdrValueOff(i), m.hdrValueLen(i));
}

/** The UAS side of a new dialog from an INVITE (12.1.1): their From is our remote, their To
 *  plus our tag our local. */
export function fromInvite(l: Leg, m: SipMsg, tag: usize, tagLen: i32, srcIp: u32, srcPort: i32): bool {
  l.clear();
  takeCallId(l, m);
  l.remoteLen = takeHeader(l.remote, m, H_FROM);
  l.remoteTagLen = copyInto(l.remoteTag, 64, m.ptr(m.fromTag), m.fromTag.len);
  const w = rw;
  w.base = l.local; w.cap = HDR_CAP;
  w.reset();
  const ti = m.find(H_TO, -1);
  if (ti >= 0) w.bytes(m.base + <usize>m.hdrValueOff(ti), m.hdrValueLen(ti));
  w.str(T(";tag=")).bytes(tag, tagLen);
  l.localLen = w.ok ? w.len : 0;
  l.localTagLen = copyInto(l.localTag, 32, tag, tagLen);
  l.remoteSeq = m.cseq; // (localSeq: 0 from clear())
  l.ip = srcIp;
  l.port = srcPort;
  return l.callIdLen > 0 && l.remoteLen > 0 && l.localLen > 0 && takeRoutes(l, m, false) && (takeTarget(l, m) || true);
}

/** The UAC side once a response with a To tag arrives (12.1.2): To is our remote. */
export function fromResponse(l: Leg, m: SipMsg): bool {
  l.remoteLen = takeHeader(l.remote, m, H_TO);
  l.remoteTagLen = copyInto(l.remoteTag, 64, m.ptr(m.toTag), m.toTag.len);
  return l.remoteLen > 0 && takeRoutes(l, m, true) && takeTarget(l, m);
}

/** True when an in-dialog request belongs to this dialog (Call-ID, their tag, our tag). */
export function matchesRequest(l: Leg, m: SipMsg): bool {
  return l.callIdLen > 0 && eqBytes(m.ptr(m.callId), m.callId.len, l.callId, l.callIdLen) &&
    eqBytes(m.ptr(m.fromTag), m.fromTag.len, l.remoteTag, l.remoteTagLen) &&
    eqBytes(m.ptr(m.toTag), m.toTag.len, l.localTag, l.localTagLen);
}

/** True when a response's To tag is this dialog's (a 2xx from another fork has another). */
export function sameRemoteTag(l: Leg, m: SipMsg): bool {
  return eqBytes(m.ptr(m.toTag), m.toTag.len, l.remoteTag, l.remoteTagLen);
}

const branch = memory.data(32);
const bw = new Writer(branch, 32);
/** The branch of the last request written by beginRequest (for the transaction key). */
export function lastBranch(): usize { return branch; }
export function lastBranchLen(): i32 { return bw.len; }

/**
 * Writes the start of a request within the dialog (12.2.1.1): Request-URI = remote target,
 * Via with a new branch (ACK for a 2xx: a new branch too, 13.2.2.4), Max-Forwards, the route
 * set, From (ours), To (theirs), Call-ID, CSeq (cseq, the INVITE's number for ACK). The caller
 * adds its headers and ends the message.
 */
export function beginRequest(w: Writer, l: Leg, method: i32, cseq: u32, localIp: u32): void {
  build.requestLine(w, method, l.target, l.targetLen);
  build.newBranch(bw.reset());
  build.via(w, localIp, 0, 0, transport.localPort(), branch, bw.len);
  build.maxForwards(w);
  w.bytes(l.routes, l.routesLen);
  build.header(w, H_FROM).bytes(l.local, l.localLen).crlf();
  build.header(w, H_TO).bytes(l.remote, l.remoteLen).crlf();
  build.callId(w, l.callId, l.callIdLen);
  build.cseq(w, cseq, method);
}
