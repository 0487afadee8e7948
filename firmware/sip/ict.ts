// INVITE client transaction (RFC 3261 17.1.1, Figure 5; RFC 6026 7.2 Accepted state).
//   calling --1xx--> proceeding --2xx--> accepted --Timer M--> terminated
//      |  \--2xx--> accepted             \--300-699 (send ACK)--> completed --Timer D--> terminated
//      |   \--300-699 (send ACK)--> completed
//      \--Timer B--> terminated (timeout to the TU)
// Timer A retransmits the INVITE in calling (T1, doubling). The ACK for a non-2xx final response
// belongs to this transaction (17.1.1.3); the ACK for a 2xx is the dialog's (13.2.2.4).
import { Txn, setState, report, S_CALLING, S_PROCEEDING, S_COMPLETED, S_ACCEPTED, T1, TIMER_D, TU_PROVISIONAL, TU_FINAL } from "./txn";
// Starting (startClient) and the timers (onTimer) are in transaction.ts.
import { SipMsg } from "./msg";
import { sendNon2xxAck } from "./ack";
import { T } from "../sys/text";

/** A response matched this transaction. */
export function onResponse(t: Txn, m: SipMsg): void {
  const code = m.status;
  switch (t.state) {
    case S_CALLING:
    case S_PROCEEDING: {
      if (code < 200) {
        if (t.state == S_CALLING) {
          t.retx.cancel();
          t.expiry.cancel(); // Timer B guards the calling state only
          setState(t, S_PROCEEDING, T("1xx"));
        }
        report(t, TU_PROVISIONAL, m);
      } else {
        t.retx.cancel();
        t.status = code;
        if (code < 300) {
          t.expiry.start(64 * T1); // Timer M
          setState(t, S_ACCEPTED, T("2xx"));
        } else {
          t.expiry.cancel();
          sendNon2xxAck(t, m);
          t.linger.start(TIMER_D);
          setState(t, S_COMPLETED, T("300-699"));
        }
        report(t, TU_FINAL, m);
      }
      break;
    }
    case S_COMPLETED: {
      if (code >= 300) sendNon2xxAck(t, m); // the final response was retransmitted: our ACK was lost
      break;
    }
    case S_ACCEPTED: {
      if (code >= 200 && code < 300) report(t, TU_FINAL, m); // 2xx retransmission or another fork
      break;
    }
  }
}
