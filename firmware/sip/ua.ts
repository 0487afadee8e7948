// The user agent core (RFC 3261 section 8, 17 front, 18.2): takes datagrams from the transport,
// parses them, drops or answers what is malformed (validate.ts), hands responses to their client
// transactions and requests to their server transactions, and answers new requests: OPTIONS
// here (11.2), INVITE/BYE/CANCEL/INFO through the call layer (set with setCallHandlers), everything
// else with the right final response, never silence. A full transaction pool gets a stateless
// 503. Responses go where RFC 3261 18.2.2 and RFC 3581 4 say: the source address and port when
// the top Via has rport, else the source address and the sent-by port.
import * as log from "../sys/log";
import { Writer } from "../sys/bytes";
import { SIP_TX_CAP, MAX_TRANSACTIONS } from "../config";
import * as transport from "./transport";
import * as transaction from "./transaction";
import { Txn, IST, NIST, serverKey, abandon, fnvSpan, FNV_BASIS } from "./txn";
import * as random from "../sys/random";
import { SipMsg, M_ACK, M_INVITE, M_OPTIONS, M_CANCEL, M_REGISTER, M_BYE, M_INFO } from "./msg";
import { checkRequest, checkResponse, PASS, DROP, uas } from "./validate";
import * as build from "./build";
import { T } from "../sys/text";

/** The message being handled (parsed in place over transport.rxBuf). */
export const msg = new SipMsg();
/** Where the message being handled came from. */
export let srcIp: u32 = 0;
export let srcPort: i32 = 0;

const OWNER_UAS: i32 = 0;
/** Server transactions alive at once; the rest of the pool is kept for our own requests. */
const SERVER_SLOTS: i32 = MAX_TRANSACTIONS - 4;

// Buffers (declared before the handler slots below, whose defaults use them).
const tagBuf = memory.data(24);
const tagW = new Writer(tagBuf, 24);
const txw = new Writer(0, 0);
const slBuf = memory.data(SIP_TX_CAP);
const slw = new Writer(slBuf, SIP_TX_CAP);
let tagSecret: u32 = 0;

// Statistics (status, tests).
export let rxRequests: i32 = 0;
export let rxResponses: i32 = 0;
export let dropped: i32 = 0;
export let rejected: i32 = 0;

// ---- the call layer's entry points (the application sets them at init; until then, null:
// an INVITE gets 480, a request inside a dialog 481, the rest is dropped)
type ServerFn = (m: SipMsg, t: Txn) => void;
type MsgFn = (m: SipMsg) => void;

/** A new INVITE with its server transaction (the handler answers through respond()). */
export let onInvite: ServerFn | null = null;
/** BYE, INFO or a re-INVITE... inside a dialog, or 481 when none matches. */
export let onInDialog: ServerFn | null = null;
/** CANCEL matched an INVITE server transaction (already answered 200 here). */
export let onCancel: ServerFn | null = null;
/** ACK for a 2xx (no transaction of its own). */
export let onAck: MsgFn | null = null;
/** A 2xx to INVITE that matched no transaction: a retransmission or a fork, for the dialog. */
export let onStray2xx: MsgFn | null = null;

export function setCallHandlers(invite: (m: SipMsg, t: Txn) => void, inDialog: (m: SipMsg, t: Txn) => void,
    cancel: (m: SipMsg, inv: Txn) => void, ack: (m: SipMsg) => void, stray: (m: SipMsg) => void): void {
  onInvite = invite; onInDialog = inDialog; onCancel = cancel; onAck = ack; onStray2xx = stray;
}


/** Handles the datagrams waiting on the SIP socket, at most 16 a tick (so a flood cannot hold
 *  the tick); returns true when more may be waiting (the caller ticks again at once). */
export function poll(): bool {
  for (let i = 0; i < 16; i++) {
    const n = transport.receive();
    if (n < 0) return false;
    srcIp = transport.rxIp;
    srcPort = transport.rxPort;
    handle(transport.rxBuf, n);
  }
  return true;
}

/** Parses and dispatches one datagram (also the entry point for tests). */
export function handle(p: usize, n: i32): void {
  msg.parse(p, n);
  if (msg.isRequest) onRequest();
  else onResponse();
}

function onResponse(): void {
  if (checkResponse(msg) != PASS) { dropped++; return; }
  rxResponses++;
  if (transaction.dispatchResponse(msg)) return;
  if (msg.cseqMethod == M_INVITE && msg.status >= 200 && msg.status < 300) {
    const f = onStray2xx;
    if (f !== null) f(msg);
    return;
  }
  dropped++; // a stray response: RFC 3261 18.1.2 says drop it
}

// Which requests get a server transaction: only those that start or belong to a call (INVITE,
// BYE, INFO, CANCEL's INVITE). Everything the unit answers at once with a final response (OPTIONS,
// rejections, 405, 481, 501) is answered statelessly (RFC 3261 8.2.7: a retransmission gets the
// response again), so a flood of such requests cannot fill the transaction pool and lock calls
// and registration out. SERVER_SLOTS leaves the rest of the pool to our own requests.
function onRequest(): void {
  const code = checkRequest(msg);
  if (code == DROP) { dropped++; return; }
  rxRequests++;
  if (code != PASS) { rejected++; reply(code, null); return; }
  const key = serverKey(msg);
  const existing = transaction.findServer(msg, key);
  if (existing !== null) { transaction.dispatchRequest(existing, msg); return; }
  switch (msg.method) {
    case M_ACK: { const f = onAck; if (f !== null) f(msg); return; }
    case M_CANCEL: cancel(key); return;
    case M_OPTIONS: reply(200, optionsExtra); return;
    case M_INVITE:
    case M_BYE:
    case M_INFO: {
      const t = newServer(key);
      if (t === null) { reply(503, retryAfter); return; }
      const fresh = msg.method == M_INVITE && msg.toTag.len == 0;
      const f = fresh ? onInvite : onInDialog;
      if (f !== null) f(msg, t); else respond(t, msg, fresh ? 480 : 481, null, 0, 0);
      return;
    }
  }
  reply(405, null); // known but not handled here: REGISTER (not a registrar, RFC 4475 3.3.7), MESSAGE...
}

/** A server transaction for the request being handled, or null when the pool is full. */
function newServer(key: u32): Txn | null {
  if (transaction.serverCount() >= SERVER_SLOTS) return null;
  const t = transaction.alloc(msg.method == M_INVITE ? IST : NIST, msg.method, key, null, OWNER_UAS);
  if (t === null) return null;
  replyTo(t);
  transaction.startServer(t);
  return t;
}

/** Sets t's destination for responses (RFC 3261 18.2.2, RFC 3581 4). */
function replyTo(t: Txn): void {
  t.ip = srcIp;
  t.port = replyPort();
}


/**
 * Answers request m through its server transaction t: status line, copied headers (with
 * received/rport, and a To tag for non-100 responses when toTagLen is 0: a fresh one), then what
 * extra writes (headers, body), or when extra is null the standard extras for the code (see
 * compose). Sent through the transaction; a response too large for it becomes a stateless 500.
 */
export function respond(t: Txn, m: SipMsg, code: i32, extra: ((w: Writer) => void) | null,
    toTag: usize, toTagLen: i32): void {
  if (toTagLen == 0 && code > 100) { build.newTag(tagW.reset()); toTag = tagBuf; toTagLen = tagW.len; }
  const w = txw;
  w.base = t.buf;
  w.cap = t.cap;
  compose(w.reset(), m, code, extra, toTag, toTagLen);
  if (!w.ok) {
    // The request's own headers did not fit (hundreds of Via/Record-Route values): a stateless
    // 500 from the larger buffer, or nothing when even that cannot hold them.
    log.warn().str(T("sip: response ")).dec(<u64>code).str(T(" too large for a transaction")).end();
    abandon(t);
    reply(500, retryAfter);
    return;
  }
  t.len = w.len;
  t.status = code;
  transaction.respond(t);
}

/** A response to m: with extra null, the complete response for the code (build.rejection: 405
 *  and 501 with Allow, a checkRequest() rejection with its Warning/Accept/Unsupported; Server,
 *  Content-Length: 0); else the status line and copied headers, then what extra writes. */
function compose(w: Writer, m: SipMsg, code: i32, extra: ((w: Writer) => void) | null, toTag: usize, toTagLen: i32): void {
  if (extra === null) build.rejection(w, m, code, uas, toTag, toTagLen, srcIp, srcPort);
  else {
    build.response(w, m, code, 0, toTag, toTagLen, srcIp, srcPort);
    extra(w);
  }
}

function optionsExtra(w: Writer): void {
  build.allow(w, uas.allow);
  w.str(T("Accept: application/sdp")).crlf();
  build.supported(w, uas);
  build.server(w);
  build.end(w);
}

function retryAfter(w: Writer): void {
  w.str(T("Retry-After: 5")).crlf();
  build.server(w);
  build.end(w);
}

/** CANCEL (RFC 3261 9.2): 200 when it matches an INVITE server transaction, else 481. */
function cancel(key: u32): void {
  const inv = transaction.findCancelled(key);
  if (inv === null) { reply(481, null); return; }
  reply(200, null);
  const f = onCancel;
  if (f !== null) f(msg, inv);
}

/**
 * A stateless final response to the request being handled (RFC 3261 8.2.7): the standard extras
 * for the code (a checkRequest() rejection gets Warning/Allow/Unsupported/Accept through
 * build.rejection), or what `extra` writes. Sent to the response address (18.2.2, RFC 3581).
 */
export function reply(code: i32, extra: ((w: Writer) => void) | null): void {
  const w = slw.reset();
  statelessTag();
  compose(w, msg, code, extra, tagBuf, 16);
  if (!w.ok) { log.warn().str(T("sip: response too large for the buffer, not sent")).end(); return; }
  transport.send(srcIp, replyPort(), w.base, w.len);
}

/** The To tag of a stateless response (RFC 3261 8.2.7: the same request always gets the same
 *  tag): 64 bits hashed from the Call-ID, From tag and branch under a secret drawn at boot. */
function statelessTag(): void {
  if (tagSecret == 0) tagSecret = random.u32() | 1;
  const a = hashSpans(FNV_BASIS ^ tagSecret);
  const b = hashSpans(a ^ 0x5bd1e995);
  tagW.reset().hex(<u64>a, 8).hex(<u64>b, 8);
}

function hashSpans(h: u32): u32 {
  const m = msg;
  return fnvSpan(fnvSpan(fnvSpan(h, m, m.callId), m, m.fromTag), m, m.viaBranch);
}

/** The response port for the request being handled (RFC 3261 18.2.2, RFC 3581 4). */
function replyPort(): i32 {
  return msg.viaRport >= 0 ? srcPort : msg.viaPort > 0 ? msg.viaPort : 5060;
}
