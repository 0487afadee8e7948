// INVITE server transaction (RFC 3261 17.2.1, Figure 7; RFC 6026 7.1 Accepted state).
//   proceeding --2xx from TU--> accepted --Timer L--> terminated
//      \--300-699 from TU--> completed --ACK--> confirmed --Timer I--> terminated
//                               \--Timer H--> terminated (no ACK: TU told)
// Retransmitted INVITEs get the last response again (proceeding, completed) or are absorbed
// (accepted, confirmed). Timer G retransmits a non-2xx final response (T1 doubling up to T2);
// retransmitting a 2xx is the dialog's job (13.3.1.4).
import { Txn, setState, transmit, report, S_PROCEEDING, S_COMPLETED, S_CONFIRMED, S_ACCEPTED, T1, T4, TU_ACK } from "./txn";
// Timers (retransmission, timeout, linger) are handled in transaction.ts onTimer.
import { SipMsg } from "./msg";
import { T } from "../sys/text";
/** The TU's response is in t.buf (t.len) with status t.status: send it and move on. */
export function respond(t: Txn): void {
  if (t.state != S_PROCEEDING) return;
  transmit(t);
  const code = t.status;
  if (code < 200) return;
  if (code < 300) {
    t.expiry.start(64 * T1); // Timer L
    setState(t, S_ACCEPTED, T("2xx from TU"));
  } else {
    t.interval = T1;
    t.retx.start(T1);        // Timer G
    t.expiry.start(64 * T1); // Timer H
    setState(t, S_COMPLETED, T("300-699 from TU"));
  }
}

/** An ACK matched this transaction (a retransmitted INVITE: transaction.dispatchRequest). */
export function onAck(t: Txn, m: SipMsg): void {
  if (t.state == S_COMPLETED) {
    t.retx.cancel();
    t.expiry.cancel();
    t.linger.start(T4); // Timer I
    setState(t, S_CONFIRMED, T("ACK"));
  } else if (t.state == S_ACCEPTED) {
    report(t, TU_ACK, m);
  }
}
