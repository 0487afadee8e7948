// Non-INVITE client transaction (RFC 3261 17.1.2, Figure 6).
//   trying --1xx--> proceeding --200-699--> completed --Timer K--> terminated
//      \--200-699--> completed
//   trying/proceeding --Timer F--> terminated (timeout to the TU)
// Timer E retransmits: in trying at T1 doubling up to T2, in proceeding every T2.
import { Txn, setState, report, S_TRYING, S_PROCEEDING, S_COMPLETED, T4, TU_PROVISIONAL, TU_FINAL } from "./txn";
// Starting (startClient) and the timers (onTimer) are in transaction.ts.
import { SipMsg } from "./msg";
import { T } from "../sys/text";

export function onResponse(t: Txn, m: SipMsg): void {
  if (t.state != S_TRYING && t.state != S_PROCEEDING) return; // completed: absorb retransmissions
  if (m.status < 200) {
    if (t.state == S_TRYING) setState(t, S_PROCEEDING, T("1xx"));
    report(t, TU_PROVISIONAL, m);
    return;
  }
  t.retx.cancel();
  t.expiry.cancel();
  t.status = m.status;
  t.linger.start(T4); // Timer K
  setState(t, S_COMPLETED, T("final response"));
  report(t, TU_FINAL, m);
}
