// The ACK for a non-2xx final response to our INVITE (RFC 3261 17.1.1.3): same Request-URI,
// Call-ID, From, CSeq number and top Via (branch) as the INVITE, its Route headers, and the To of
// the response (with the tag). Built from the INVITE kept in the transaction; sent to where the
// INVITE went. (The ACK for a 2xx is a new request of the dialog: dialog.ts.)
import { Writer } from "../sys/bytes";
import { Txn } from "./txn";
import * as transport from "./transport";
import { SipMsg, M_ACK, H_VIA, H_ROUTE, H_FROM, H_TO, H_CALL_ID, E_OK } from "./msg";
import * as build from "./build";

const inv = new SipMsg();
const ACK_CAP: i32 = 1536;
const w = new Writer(memory.data(ACK_CAP), ACK_CAP);

/** Copies header `id` number i of m as "Name: value". */
function copy(w: Writer, m: SipMsg, id: i32, i: i32): void {
  if (i < 0) return;
  build.header(w, id).bytes(m.base + <usize>m.hdrValueOff(i), m.hdrValueLen(i)).crlf();
}

/** Sends the ACK for final response `resp` (300-699) of INVITE client transaction t. */
export function sendNon2xxAck(t: Txn, resp: SipMsg): void {
  if (inv.parse(t.buf, t.len) != E_OK) return;
  w.reset();
  build.requestLine(w, M_ACK, inv.ptr(inv.ruri), inv.ruri.len);
  copy(w, inv, H_VIA, inv.find(H_VIA));
  build.copyHeaders(w, inv, H_ROUTE);
  copy(w, inv, H_FROM, inv.find(H_FROM));
  copy(w, resp, H_TO, resp.find(H_TO));
  copy(w, inv, H_CALL_ID, inv.find(H_CALL_ID));
  build.cseq(w, inv.cseq, M_ACK);
  build.maxForwards(w);
  build.end(w);
  if (w.ok) transport.send(t.ip, t.port, w.base, w.len);
}
