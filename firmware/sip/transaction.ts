// The transaction layer's front: the pool, allocation, matching (RFC 3261 17.1.3, 17.2.3) and
// dispatch of timers and messages to the four state machines.
import { MAX_TRANSACTIONS, TXN_BUF } from "../config";
import { Timer } from "../sys/clock";
import { SipMsg, M_ACK, M_INVITE } from "./msg";
import { Txn, TuFn, ICT, NICT, IST, NIST, S_FREE, S_CALLING, S_TRYING, S_PROCEEDING, S_COMPLETED, S_CONFIRMED, S_ACCEPTED, S_TERMINATED,
  T1, T2, TU_TIMEOUT, TU_TRANSPORT, clientKey, setState, transmit, report } from "./txn";
import { T } from "../sys/text";
import * as ict from "./ict";
import * as nict from "./nict";
import * as ist from "./ist";
import * as nist from "./nist";

/** Every transaction timer: ctx is the pool index, plus RETX, EXPIRY or LINGER (see Txn). The
 *  states a retransmission timer (A, E, G) runs in are the ones its timeout (B, F, H) ends. */
function onTimer(tm: Timer): void {
  const t = at(tm.ctx & 0xff);
  const which = tm.ctx >> 8, kind = t.kind, s = t.state;
  const busy = kind == ICT ? s == S_CALLING : kind == NICT ? s == S_TRYING || s == S_PROCEEDING : s == S_COMPLETED;
  if (which == 0) {
    if (!busy) return;
    // Timer A (ICT calling): T1 doubling; E (NICT): T1 doubling up to T2, in proceeding every T2;
    // G (IST completed): T1 doubling up to T2
    transmit(t);
    let next = t.interval * 2;
    if (kind != ICT && (next > T2 || s == S_PROCEEDING)) next = T2;
    t.interval = next;
    t.retx.start(next);
    return;
  }
  if (which == 1) {
    if (busy) {
      // Timer B (ICT), F (NICT), H (IST): no answer (no ACK)
      t.retx.cancel();
      report(t, TU_TIMEOUT, null);
    } else if (s != S_ACCEPTED) return; // Timer M (ICT), L (IST): the accepted state ends
  } else if (s != (kind == IST ? S_CONFIRMED : S_COMPLETED)) return;
  // Timer D (ICT), K (NICT), I (IST), J (NIST): the state that absorbed retransmissions ends
  setState(t, S_TERMINATED, load<u32>(TIMER_NAMES + (<usize>(which * 8 + (busy ? 0 : 4) + kind) << 2)));
}

// Timer names by expiry (busy, accepted) and linger, each by kind.
const TIMER_NAMES = memory.data<u32>([0, 0, 0, 0, 0, 0, 0, 0,
  T("Timer B"), T("Timer F"), T("Timer H"), 0, T("Timer M"), 0, T("Timer L"), 0,
  T("Timer D"), T("Timer K"), T("Timer I"), T("Timer J"), T("Timer D"), T("Timer K"), T("Timer I"), T("Timer J")]);

// The pool: each Txn followed by its three timers, in static memory (zero-filled: a free
// transaction, idle timers); start-up gives each its buffer, index and timer callbacks.
const TXN_SIZE = offsetof<Txn>();
const TIMER_SIZE = offsetof<Timer>();
const STRIDE = TXN_SIZE + 3 * TIMER_SIZE;
const POOL = memory.data(<i32>STRIDE * MAX_TRANSACTIONS);

/** Pool slot i. */
// @ts-ignore: decorator
@inline function at(i: i32): Txn { return changetype<Txn>(POOL + <usize>i * STRIDE); }

for (let i = 0; i < MAX_TRANSACTIONS; i++) {
  const t = at(i), p = changetype<usize>(t) + TXN_SIZE;
  t.index = i;
  t.buf = heap.alloc(<usize>TXN_BUF);
  t.retx = timerAt(p, i);
  t.expiry = timerAt(p + TIMER_SIZE, 0x100 | i);
  t.linger = timerAt(p + 2 * TIMER_SIZE, 0x200 | i);
}

function timerAt(p: usize, ctx: i32): Timer {
  const tm = changetype<Timer>(p);
  tm.fn = onTimer;
  tm.ctx = ctx;
  return tm;
}

/** A free transaction, or null when the pool is exhausted (the caller answers 503 or fails). */
export function alloc(kind: i32, method: i32, key: u32, tu: TuFn | null, owner: i32): Txn | null {
  for (let i = 0; i < MAX_TRANSACTIONS; i++) {
    const t = at(i);
    if (t.state != S_FREE) continue;
    t.kind = kind;
    t.gen++;
    t.method = method;
    t.key = key;
    t.tu = tu;
    t.owner = owner;
    t.len = 0;
    t.status = 0;
    t.interval = T1;
    return t;
  }
  return null;
}

/** Live transactions (status, tests). */
export function liveCount(): i32 { return count(ICT); }

/** Live server transactions. */
export function serverCount(): i32 { return count(IST); }

/** Live transactions of kind `from` and the kinds after it. */
function count(from: i32): i32 {
  let n = 0;
  for (let i = 0; i < MAX_TRANSACTIONS; i++) {
    const t = at(i);
    if (t.state != S_FREE && t.kind >= from) n++;
  }
  return n;
}

/** Starts a client transaction whose request is already in t.buf, bound for (t.ip, t.port). */
export function startClient(t: Txn): void {
  // ICT calling (17.1.1.2), NICT trying (17.1.2.2): send, start Timers A and B (E and F)
  const inv = t.kind == ICT;
  setState(t, inv ? S_CALLING : S_TRYING, inv ? T("INVITE from TU") : T("request from TU"));
  if (!transmit(t)) {
    report(t, TU_TRANSPORT, null);
    setState(t, S_TERMINATED, T("transport error"));
    return;
  }
  t.interval = T1;
  t.retx.start(T1);
  t.expiry.start(64 * T1);
}

/** Sends the TU's response in t.buf (t.len, t.status) through a server transaction. */
export function respond(t: Txn): void {
  if (t.kind == IST) ist.respond(t); else nist.respond(t);
}

/** Starts a server transaction for a new request. */
export function startServer(t: Txn): void {
  // IST proceeding (17.2.1), NIST trying (17.2.2); the TU answers through respond()
  const inv = t.kind == IST;
  setState(t, inv ? S_PROCEEDING : S_TRYING, inv ? T("INVITE") : T("request"));
}

/** Routes a response to its client transaction; false when none matches (17.1.3). */
export function dispatchResponse(m: SipMsg): bool {
  const key = clientKey(m.base + <usize>m.viaBranch.off, m.viaBranch.len);
  for (let i = 0; i < MAX_TRANSACTIONS; i++) {
    const t = at(i);
    if (t.state == S_FREE || t.kind > NICT || t.key != key || t.method != m.cseqMethod) continue;
    if (t.kind == ICT) ict.onResponse(t, m); else nict.onResponse(t, m);
    return true;
  }
  return false;
}

/** The server transaction a request belongs to (ACK matches the INVITE's), or null (17.2.3). */
export function findServer(m: SipMsg, key: u32): Txn | null {
  return serverFor(key, m.method == M_ACK ? M_INVITE : m.method);
}

/** The live server transaction with this key and method, or null. */
function serverFor(key: u32, method: i32): Txn | null {
  for (let i = 0; i < MAX_TRANSACTIONS; i++) {
    const t = at(i);
    if (t.state != S_FREE && t.kind >= IST && t.key == key && t.method == method) return t;
  }
  return null;
}

/** Hands a retransmitted request (or an ACK) to its server transaction. */
export function dispatchRequest(t: Txn, m: SipMsg): void {
  // An ACK matches only an INVITE server transaction (findServer). A retransmitted request gets
  // the last response again in proceeding and completed, is absorbed otherwise (IST accepted and
  // confirmed, NIST trying).
  if (m.method == M_ACK) ist.onAck(t, m);
  else if ((t.state == S_PROCEEDING || t.state == S_COMPLETED) && t.len > 0) transmit(t);
}

/** The INVITE server transaction a CANCEL targets (9.2: same branch and sent-by), or null
 *  (server transactions of method INVITE are the IST ones). */
export function findCancelled(key: u32): Txn | null { return serverFor(key, M_INVITE); }
