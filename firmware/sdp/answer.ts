// Answering an offer (RFC 3264 section 6, 6.1 unicast streams), and what both directions of the
// exchange take from a peer's media section. The first acceptable audio stream is used; every
// other m= line is answered with port 0, so the answer has as many m= lines as the offer.
// Acceptable: m=audio, port not 0, RTP/AVP or RTP/AVPF, an IPv4 unicast connection (0.0.0.0
// included: the RFC 2543 hold), and a codec we allow.
//
// Codec rule (the answerer's choice, RFC 3264 6.1): the first codec of our preference (setting
// call.codecs) that the offer lists, under the payload type number the offer gave it. The answer
// names that one codec only, so both sides send and receive the same one. telephone-event: the
// offer's first payload type with an 8000 Hz clock and events both sides know (0-16 here; 0-15
// when the offer has no fmtp, RFC 4733 2.4.1). Direction: the offer's (media level over session
// level, sendrecv when absent) mirrored and limited to ours; c=0.0.0.0 counts as "the offerer
// does not receive".
import { Writer } from "../sys/bytes";
import {
  Session, SDP_OK, SDP_E_NO_CODEC, SDP_E_MISMATCH, KIND_AUDIO, PROTO_AVP, DIR_SEND, DIR_RECV, FMTP_SEEN,
} from "./session";
import { CODEC_TE, TE_EVENTS, prefRank } from "./codec";
import { LocalMedia, MediaParams } from "./params";
import { SdpOrigin } from "./origin";
import { writeSdp } from "./build";

/** Answers the offer: negotiates into res and writes the answer SDP into w. Returns SDP_OK,
 *  SDP_E_NO_CODEC (no acceptable audio stream: answer 488, nothing written) or SDP_E_OVERFLOW
 *  (w too small). */
export function answerOffer(offer: Session, local: LocalMedia, origin: SdpOrigin, w: Writer, res: MediaParams): i32 {
  const r = negotiate(offer, local, res, true);
  return r != SDP_OK ? r : writeSdp(w, origin, local, offer, res);
}

/** Fills res from s: from the first usable audio stream with the first codec of our preference
 *  it lists (offer), or from the one stream of an answer to our offer with its first codec that
 *  we allow (!offer). Usable: audio, port not 0, RTP/AVP(F), an IPv4 address. Returns SDP_OK,
 *  SDP_E_NO_CODEC (no usable stream; for an answer: port 0 or no codec in common) or
 *  SDP_E_MISMATCH (an answer that is not one audio stream over RTP/AVP with an IPv4 address). */
export function negotiate(s: Session, local: LocalMedia, res: MediaParams, offer: bool): i32 {
  res.pt = res.tePt = -1; // the rest is set on success
  res.teEvents = 0;
  if (!offer && s.nmedia != 1) return SDP_E_MISMATCH;
  for (let i = 0; i < s.nmedia; i++) {
    const m = s.m(i);
    const conn = s.connOf(i);
    let r = m.kind != KIND_AUDIO ? SDP_E_MISMATCH : m.port == 0 ? SDP_E_NO_CODEC
      : <u32>(m.proto - PROTO_AVP) > 1 || conn < 0 ? SDP_E_MISMATCH : SDP_OK;
    if (r == SDP_OK) {
      // the codec: ours first (offer), or the answer's order
      let j = -1, best = 2;
      for (let k = 0; k < m.nfmt; k++) {
        const rank = prefRank(local.pref, m.codecAt(k));
        if (rank < best) {
          j = k;
          best = offer ? rank : -1;
        }
      }
      if (j >= 0) {
        take(res, s, i, j, <u32>conn, local);
        return SDP_OK;
      }
      r = SDP_E_NO_CODEC;
    }
    if (!offer) return r;
  }
  return SDP_E_NO_CODEC;
}

/** Fills res from media i of s (address ip) with codec index j: address, port, payload types,
 *  ptime (20 ms, as the audio path sends, unless the peer's maxptime is smaller) and who sends
 *  (their direction mirrored, limited to local.dir; c=0.0.0.0: they do not receive). */
// @ts-ignore: decorator
@inline function take(res: MediaParams, s: Session, i: i32, j: i32, ip: u32, local: LocalMedia): void {
  const m = s.m(i);
  res.mline = i;
  res.remoteIp = ip;
  res.remotePort = m.port;
  res.pt = m.ptAt(j);
  res.law = m.codecAt(j) - 1;
  for (let k = 0; k < m.nfmt; k++) {
    const ev = m.eventsAt(k);
    const known = (ev & FMTP_SEEN ? ev : 0xffff) & TE_EVENTS;
    if (m.codecAt(k) != CODEC_TE || known == 0) continue;
    res.tePt = m.ptAt(k);
    res.teEvents = known;
    break;
  }
  res.ptime = <u32>(m.maxptime - 1) < 19 ? m.maxptime : 20; // maxptime 0: none
  let theirs = s.dirOf(i);
  if (ip == 0) theirs &= ~DIR_RECV;
  res.dir = ((theirs & DIR_SEND) << 1 | theirs >> 1) & local.dir;
}
