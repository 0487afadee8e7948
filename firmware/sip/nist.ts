// Non-INVITE server transaction (RFC 3261 17.2.2, Figure 8).
//   trying --1xx from TU--> proceeding --200-699 from TU--> completed --Timer J--> terminated
//      \--200-699 from TU--> completed
// Retransmitted requests: discarded in trying, answered with the last response in proceeding
// and completed.
import { Txn, setState, transmit, S_TRYING, S_PROCEEDING, S_COMPLETED, T1 } from "./txn";
import { T } from "../sys/text";

/** The TU's response is in t.buf with status t.status: send it. */
export function respond(t: Txn): void {
  if (t.state != S_TRYING && t.state != S_PROCEEDING) return;
  transmit(t);
  if (t.status < 200) {
    if (t.state == S_TRYING) setState(t, S_PROCEEDING, T("1xx from TU"));
    return;
  }
  t.linger.start(64 * T1); // Timer J
  setState(t, S_COMPLETED, T("final from TU"));
}
