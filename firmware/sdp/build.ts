// Pieces of SDP text shared by offers and answers (RFC 4566 5.14, 6; RFC 4733 2.4.1).
import { Writer } from "../sys/bytes";
import { CODEC_PCMU } from "./codec";
import { DIR_SENDRECV, DIR_SENDONLY, DIR_RECVONLY } from "./session";
import { T } from "../sys/text";

/** "a=rtpmap:<pt> PCMU/8000" or PCMA. */
export function writeRtpmap(w: Writer, pt: i32, codec: u8): void {
  w.str(T("a=rtpmap:")).dec(<u64>pt).str(codec == CODEC_PCMU ? T(" PCMU/8000\r\n") : T(" PCMA/8000\r\n"));
}

/** rtpmap and fmtp of telephone-event; events as bits (ranges such as 0-15 or 0-11,16). */
export function writeTelephoneEvent(w: Writer, pt: i32, events: u32): void {
  w.str(T("a=rtpmap:")).dec(<u64>pt).str(T(" telephone-event/8000\r\na=fmtp:")).dec(<u64>pt).byte(32);
  let first = true;
  let ev = 0;
  while (ev < 31) {
    if ((events & (<u32>1 << <u32>ev)) == 0) { ev++; continue; }
    let hi = ev;
    while (hi < 30 && (events & (<u32>1 << <u32>(hi + 1))) != 0) hi++;
    if (!first) w.byte(44);
    w.dec(<u64>ev);
    if (hi > ev) w.byte(45).dec(<u64>hi);
    first = false;
    ev = hi + 1;
  }
  w.crlf();
}

/** "a=ptime:<ms>" and the direction attribute. */
export function writePtimeDir(w: Writer, ptime: i32, dir: i32): void {
  w.str(T("a=ptime:")).dec(<u64>ptime).str(
    dir == DIR_SENDRECV ? T("\r\na=sendrecv\r\n") : dir == DIR_SENDONLY ? T("\r\na=sendonly\r\n") : dir == DIR_RECVONLY ? T("\r\na=recvonly\r\n") : T("\r\na=inactive\r\n"));
}

/** Swaps the send and receive bits: the other side's direction seen from ours. */
// @ts-ignore: decorator
@inline export function mirror(dir: i32): i32 {
  return ((dir & 1) << 1) | ((dir >> 1) & 1);
}
