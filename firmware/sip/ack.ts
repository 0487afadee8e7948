// Requests made from our INVITE, kept in its client transaction: the ACK for a non-2xx final
// response (RFC 3261 17.1.1.3) and CANCEL (9.1). Both keep the INVITE's Request-URI, top Via
// (branch), Route headers, From, Call-ID and CSeq number; the ACK takes the response's To (with
// the tag), CANCEL the INVITE's own. Both go where the INVITE went. (The ACK for a 2xx is a new
// request of the dialog: dialog.ts.)
import { Writer } from "../sys/bytes";
import { Txn } from "./txn";
import * as transport from "./transport";
import { SipMsg, M_ACK, M_CANCEL, H_VIA, H_ROUTE, H_FROM, H_TO, H_CALL_ID, E_OK } from "./msg";
import * as build from "./build";

const invMsg = new SipMsg();
const cw = new Writer(0, 0);
const ACK_CAP: i32 = 1536;
const w = new Writer(memory.data(ACK_CAP), ACK_CAP);

/** Copies header `id` number i of m as "Name: value". */
function copy(w: Writer, m: SipMsg, id: i32, i: i32): void {
  if (i < 0) return;
  build.header(w, id).bytes(m.base + <usize>m.hdrValueOff(i), m.hdrValueLen(i)).crlf();
}

/** Writes `method` derived from the INVITE of transaction t; To from `to` (null: the INVITE's). */
function derive(w: Writer, t: Txn, method: i32, to: SipMsg | null): bool {
  const inv = invMsg;
  if (inv.parse(t.buf, t.len) != E_OK) return false;
  const src = to !== null ? to : inv;
  build.requestLine(w, method, inv.ptr(inv.ruri), inv.ruri.len);
  copy(w, inv, H_VIA, inv.find(H_VIA, -1));
  build.copyHeaders(w, inv, H_ROUTE);
  copy(w, inv, H_FROM, inv.find(H_FROM, -1));
  copy(w, src, H_TO, src.find(H_TO, -1));
  copy(w, inv, H_CALL_ID, inv.find(H_CALL_ID, -1));
  build.cseq(w, inv.cseq, method);
  build.maxForwards(w);
  build.end(w);
  return w.ok;
}

/** Sends the ACK for final response `resp` (300-699) of INVITE client transaction t. */
export function sendNon2xxAck(t: Txn, resp: SipMsg): void {
  if (derive(w.reset(), t, M_ACK, resp)) transport.send(t.ip, t.port, w.base, w.len);
}

/** Writes CANCEL for INVITE client transaction inv into transaction c (same key and address:
 *  the responses carry the INVITE's branch and are told apart by the CSeq method). */
export function buildCancel(c: Txn, inv: Txn): bool {
  cw.base = c.buf; cw.cap = c.cap;
  if (!derive(cw.reset(), inv, M_CANCEL, null)) return false;
  c.len = cw.len;
  c.key = inv.key;
  c.ip = inv.ip;
  c.port = inv.port;
  return true;
}
