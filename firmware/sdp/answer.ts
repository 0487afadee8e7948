// Answering an offer (RFC 3264 section 6, 6.1 unicast streams). The first acceptable audio stream
// is used; every other m= line is answered with port 0, so the answer has as many m= lines as
// the offer. Acceptable: m=audio, port not 0, RTP/AVP or RTP/AVPF, an IPv4 unicast connection
// (0.0.0.0 included: the RFC 2543 hold), and a codec we allow.
//
// Codec rule (the answerer's choice, RFC 3264 6.1): the first codec of our preference (setting
// call.codecs) that the offer lists, under the payload type number the offer gave it. The answer
// names that one codec only, so both sides send and receive the same one (the offerer has
// nothing to switch to). telephone-event: the offer's payload type with an 8000 Hz clock, and
// the events both sides know (0-16 here; 0-15 when the offer has no fmtp, RFC 4733 2.4.1).
// Direction: the offer's (media level over session level, sendrecv when absent) mirrored
// (sendonly -> recvonly, recvonly -> sendonly, inactive -> inactive) and limited to ours;
// c=0.0.0.0 counts as "the offerer does not receive".
import { Writer } from "../sys/bytes";
import {
  Session, Media, SDP_OK, SDP_E_NO_CODEC, KIND_AUDIO, PROTO_AVP, PROTO_AVPF, CONN_NONE, CONN_UNUSABLE,
  DIR_SEND, DIR_RECV, FMTP_SEEN,
} from "./session";
import { CODEC_PCMU, CODEC_TE, LAW_ULAW, LAW_ALAW, TE_EVENTS, prefCount, prefCodec } from "./codec";
import { LocalMedia, MediaParams } from "./params";
import { SdpOrigin, beginSdp, endSdp } from "./origin";
import { writeRtpmap, writeTelephoneEvent, writePtimeDir, mirror } from "./build";
import { T } from "../sys/text";

/** Index in m's format list of the first codec of our preference that m offers, or -1. */
export function chooseCodec(m: Media, pref: i32): i32 {
  const n = prefCount(pref);
  for (let r = 0; r < n; r++) {
    const want = prefCodec(pref, r);
    for (let j = 0; j < m.nfmt; j++) if (unchecked(m.codec[j]) == want) return j;
  }
  return -1;
}

/** The events (bit n = event n) of the last telephone-event chooseTelephoneEvent found. */
export let teEventsFound: u32 = 0;

/** Index of m's first telephone-event/8000 that has events we know (0-16; 0-15 when it has no
 *  fmtp), or -1; the common events are left in teEventsFound. */
export function chooseTelephoneEvent(m: Media): i32 {
  for (let j = 0; j < m.nfmt; j++) {
    if (unchecked(m.codec[j]) != CODEC_TE) continue;
    const ev = unchecked(m.events[j]);
    const offered = ev & FMTP_SEEN ? ev & ~FMTP_SEEN : <u32>0xffff;
    if ((offered & TE_EVENTS) == 0) continue;
    teEventsFound = offered & TE_EVENTS;
    return j;
  }
  return -1;
}

/** Fills res from media i of s with codec index j; ptime follows the peer's ptime/maxptime. */
export function fillParams(res: MediaParams, s: Session, i: i32, j: i32): void {
  const m = s.media[i];
  res.mline = i;
  res.remoteIp = <u32>s.connOf(i);
  res.remotePort = m.port;
  res.remoteRtcpPort = m.rtcpPort > 0 ? m.rtcpPort : m.port + 1;
  res.pt = <i32>m.pt[j];
  res.law = m.codec[j] == CODEC_PCMU ? LAW_ULAW : LAW_ALAW;
  const te = chooseTelephoneEvent(m);
  res.tePt = te >= 0 ? <i32>m.pt[te] : -1;
  res.teEvents = te >= 0 ? teEventsFound : 0;
  let pt = m.ptime > 0 ? m.ptime : 20;
  if (m.maxptime > 0 && pt > m.maxptime) pt = m.maxptime;
  res.ptime = pt;
}

/** True when media i of s is an audio stream we can take part in. */
export function usableAudio(s: Session, i: i32): bool {
  const m = s.media[i];
  if (m.kind != KIND_AUDIO || m.port == 0) return false;
  if (m.proto != PROTO_AVP && m.proto != PROTO_AVPF) return false;
  const c = s.connOf(i);
  return c != CONN_NONE && c != CONN_UNUSABLE;
}

/** Answers the offer: negotiates into res and writes the answer SDP into w. Returns SDP_OK,
 *  SDP_E_NO_CODEC (no acceptable audio stream: answer 488, nothing written) or
 *  SDP_E_OVERFLOW (w too small). */
export function answerOffer(offer: Session, local: LocalMedia, origin: SdpOrigin, w: Writer, res: MediaParams): i32 {
  res.reset();
  let mi = -1, j = -1;
  for (let i = 0; i < offer.nmedia; i++) {
    if (!usableAudio(offer, i)) continue;
    j = chooseCodec(offer.media[i], local.pref);
    if (j >= 0) { mi = i; break; }
  }
  if (mi < 0) return SDP_E_NO_CODEC;
  fillParams(res, offer, mi, j);
  let theirs = offer.dirOf(mi);
  if (res.remoteIp == 0) theirs &= ~DIR_RECV;
  const dir = mirror(theirs) & local.dir;
  res.send = (dir & DIR_SEND) != 0;
  res.recv = (dir & DIR_RECV) != 0;

  const base = offer.base;
  const start = beginSdp(w);
  w.str(T("s=-\r\nc=IN IP4 ")).ip4(local.ip).str(T("\r\nt="));
  if (offer.tLen > 0) w.bytes(base + <usize>offer.tOff, offer.tLen);
  else w.str(T("0 0"));
  w.crlf();
  for (let i = 0; i < offer.nmedia; i++) {
    const m = offer.media[i];
    if (i != mi) {
      w.str(T("m=")).bytes(base + <usize>m.typeOff, m.typeLen).str(T(" 0 ")).bytes(base + <usize>m.protoOff, m.protoLen)
        .byte(32).bytes(base + <usize>m.fmtOff, m.fmtLen).crlf();
      continue;
    }
    w.str(T("m=audio ")).dec(<u64>local.port).byte(32).bytes(base + <usize>m.protoOff, m.protoLen).byte(32).dec(<u64>res.pt);
    if (res.tePt >= 0) w.byte(32).dec(<u64>res.tePt);
    w.crlf();
    writeRtpmap(w, res.pt, m.codec[j]);
    if (res.tePt >= 0) writeTelephoneEvent(w, res.tePt, res.teEvents);
    writePtimeDir(w, local.ptime, dir);
  }
  return endSdp(w, start, origin, local.ip);
}
