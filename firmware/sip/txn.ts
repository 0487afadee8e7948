// SIP transactions (RFC 3261 section 17, with the Accepted states of RFC 6026 section 7): the
// common part. A fixed pool of Txn objects; four state machines (ict.ts, nict.ts, ist.ts,
// nist.ts) written the same way: a state enum, one handler per event source, RFC timer names,
// one setState() that logs "from X to Y on Z" and refuses to go backwards.
//
// Matching (17.1.3, 17.2.3): a response matches the client transaction whose branch equals the
// top Via branch and whose method equals the CSeq method. A request matches the server
// transaction with the same branch, sent-by and method (ACK matches INVITE); requests without
// the RFC 3261 magic cookie (RFC 2543 peers) are matched on Call-ID, From tag, CSeq number and
// sent-by instead. Keys are 32-bit FNV-1a hashes plus the method, so a transaction stores no
// variable-length key.
import { Timer } from "../sys/clock";
import { Writer } from "../sys/bytes";
import * as log from "../sys/log";
import { TXN_BUF } from "../config";
import { SipMsg } from "./msg";
import { Span } from "./scan";
import * as transport from "./transport";
import { T, Text } from "../sys/text";

// Kinds
export const ICT: i32 = 0;  // INVITE client
export const NICT: i32 = 1; // non-INVITE client
export const IST: i32 = 2;  // INVITE server
export const NIST: i32 = 3; // non-INVITE server

// States, in the only order a transaction may move through them.
export const S_FREE: i32 = 0;
export const S_CALLING: i32 = 1;
export const S_TRYING: i32 = 2;
export const S_PROCEEDING: i32 = 3;
export const S_COMPLETED: i32 = 4;
export const S_CONFIRMED: i32 = 5;
export const S_ACCEPTED: i32 = 6;
export const S_TERMINATED: i32 = 7;

// Events reported to the transaction user (the owner's callback).
export const TU_PROVISIONAL: i32 = 1; // client: a 1xx arrived
export const TU_FINAL: i32 = 2;       // client: a final response arrived (2xx again in Accepted: retransmission or fork)
export const TU_TIMEOUT: i32 = 3;     // client: Timer B/F; server: Timer H (no ACK)
export const TU_TRANSPORT: i32 = 4;   // the transport failed to send
export const TU_ACK: i32 = 5;         // server: ACK for a 2xx in Accepted (RFC 6026 7.1)
export const TU_TERMINATED: i32 = 6;  // the transaction is gone; drop references to it

// RFC 3261 timer values (ms): T1 RTT estimate, T2 max retransmit interval, T4 max message lifetime.
export const T1: i64 = 500;
export const T2: i64 = 4000;
export const T4: i64 = 5000;
export const TIMER_D: i64 = 32000;

export type TuFn = (t: Txn, ev: i32, msg: SipMsg | null) => void;

/** Lives in the transaction pool (static memory, see transaction.ts), never made with new. */
@unmanaged export class Txn {
  kind: i32;
  state: i32;
  /** Bumped on every reuse, so owners can tell a stale index from their transaction. */
  gen: i32;
  method: i32;
  key: u32;
  ip: u32;
  port: i32;
  /** Client: the request as sent. Server: the last response sent. */
  buf: usize;
  len: i32;
  /** Client INVITE: the ACK for a non-2xx final, built once. */
  ackLen: i32;
  status: i32;
  interval: i64;
  /** The owner's callback; null: nobody listens (a stateless owner, or after termination). */
  tu: TuFn | null;
  owner: i32;
  /** Pool index; the timers run one function, with ctx index (retx), 0x100 | index (expiry) and
   *  0x200 | index (linger). */
  index: i32;
  retx: Timer;    // A (ICT), E (NICT), G (IST)
  expiry: Timer;  // B (ICT), F (NICT), H (IST), L (IST accepted), M (ICT accepted)
  linger: Timer;  // D (ICT), K (NICT), I (IST), J (NIST)

  get cap(): i32 { return TXN_BUF; }
  get live(): bool { return this.state != S_FREE && this.state != S_TERMINATED; }
}

// State names (S_*), then kind names (ICT..NIST) from index 8.
const NAMES = memory.data<u32>([T("free"), T("calling"), T("trying"), T("proceeding"), T("completed"), T("confirmed"),
  T("accepted"), T("terminated"), T("ict"), T("nict"), T("ist"), T("nist")]);

export function stateName(s: i32): Text { return <u32>s < 8 ? load<u32>(NAMES + (<usize>s << 2)) : T("?"); }

/** Moves t to state s, logging why; a move backwards is a broken invariant and is refused. */
export function setState(t: Txn, s: i32, why: Text): void {
  if (s < t.state && s != S_FREE) {
    move(log.error().str(T("txn ")).dec(t.index).str(T(": refused ")), t, s).end();
    return;
  }
  if (log.on(log.DEBUG)) {
    move(log.debug().str(load<u32>(NAMES + (<usize>(8 + t.kind) << 2))).str(T(" ")).dec(t.index).str(T(": ")), t, s)
      .str(T(" on ")).str(why).end();
  }
  t.state = s;
  if (s == S_TERMINATED) terminate(t);
}

/** "from -> to" for a move of t to state s. */
function move(w: Writer, t: Txn, s: i32): Writer { return w.str(stateName(t.state)).str(T(" -> ")).str(stateName(s)); }

function terminate(t: Txn): void {
  // Terminated is transient: the owner hears of it, then the slot is free for reuse.
  t.retx.cancel();
  t.expiry.cancel();
  t.linger.cancel();
  report(t, TU_TERMINATED, null);
  t.tu = null;
  t.state = S_FREE;
}

/** Tells t's owner of event ev (TU_*) with message m. */
export function report(t: Txn, ev: i32, m: SipMsg | null): void {
  const tu = t.tu;
  if (tu !== null) tu(t, ev, m);
}

/** Ends t at once (the owner gave up, e.g. at shutdown). */
export function abandon(t: Txn): void {
  if (t.state != S_FREE) setState(t, S_TERMINATED, T("abandoned"));
}

/** (Re)transmits the transaction's buffer. */
export function transmit(t: Txn): bool {
  return transport.send(t.ip, t.port, t.buf, t.len);
}

// ---- keys

/** FNV-1a over bytes, continuing from h. */
export function fnv(h: u32, p: usize, n: i32): u32 {
  for (let i = 0; i < n; i++) h = (h ^ <u32>load<u8>(p + <usize>i)) * 16777619;
  return h;
}
export const FNV_BASIS: u32 = 2166136261;

/** True when the top Via branch starts with the RFC 3261 magic cookie z9hG4bK. */
export function hasCookie(m: SipMsg): bool {
  const b = m.base + <usize>m.viaBranch.off;
  // "z9hG4bK" compared without regard to case (digits are unchanged by | 0x20).
  return m.viaBranch.len > 7 && (load<u32>(b) | 0x20202020) == 0x6768397a /* z9hg */ &&
    (load<u16>(b + 4) | 0x2020) == 0x6234 /* 4b */ && (load<u8>(b + 6) | 0x20) == 0x6b /* k */;
}

/** Key of a client transaction: its branch. */
export function clientKey(branch: usize, n: i32): u32 { return fnv(FNV_BASIS, branch, n); }

/** Key a request is matched to a server transaction with (17.2.3). */
export function serverKey(m: SipMsg): u32 {
  let h = FNV_BASIS;
  if (hasCookie(m)) {
    h = fnvSpan(h, m, m.viaBranch);
  } else {
    h = fnvSpan(h, m, m.callId);
    h = fnvSpan(h, m, m.fromTag);
    h = (h ^ m.cseq) * 16777619;
  }
  h = fnvSpan(h, m, m.viaHost);
  return (h ^ <u32>m.viaPort) * 16777619;
}

/** fnv() over span s of message m. */
export function fnvSpan(h: u32, m: SipMsg, s: Span): u32 { return fnv(h, m.base + <usize>s.off, s.len); }

