// Audio formats the intercom speaks (RFC 3551 static payload types 0 PCMU and 8 PCMA, G.711 at
// 8000 Hz) and RFC 4733 telephone-event; the codec preference of the `call.codecs` setting.
// The caller passes the preference in; nothing in sdp/ reads settings.
import { wordIndex } from "../sys/words";
import { T } from "../sys/text";

/** What a payload type carries, as far as this firmware cares. */
export const CODEC_UNKNOWN: i32 = 0; // dynamic PT without an rtpmap
export const CODEC_PCMU: i32 = 1;
export const CODEC_PCMA: i32 = 2;
export const CODEC_TE: i32 = 3;      // telephone-event/8000
export const CODEC_OTHER: i32 = 4;

/** rtpmap encodings (RFC 4566 6, names case-insensitive): word i is codec i % 3 + 1. */
export const CODECS = T("PCMU/8000|PCMA/8000|telephone-event/8000|PCMU/8000/1|PCMA/8000/1");

/** Law numbers as media/g711 and bench_g711 use them: codec - 1. */
export const LAW_ULAW: i32 = 0;
export const LAW_ALAW: i32 = 1;

/** Dynamic payload type of telephone-event in our offers. */
export const PT_TE_OFFER: i32 = 101;
/** DTMF events we send and receive: 0-15 (digits, *, #, A-D) and 16 (flash). */
export const TE_EVENTS: u32 = 0x1ffff;

/** Codec preference, in the order of the `call.codecs` choices (so its setting index is one):
 *  bit 0 set = PCMA first; below PREF_PCMU both codecs. */
export const PREF_PCMU_PCMA: i32 = 0;
export const PREF_PCMA_PCMU: i32 = 1;
export const PREF_PCMU: i32 = 2;
export const PREF_PCMA: i32 = 3;

/** The preference named by a `call.codecs` value ("pcmu,pcma", "pcma,pcmu", "pcmu", "pcma");
 *  anything else gives PREF_PCMU_PCMA. */
export function prefFromSetting(p: usize, n: i32): i32 {
  const i = wordIndex(p, n, T("pcmu,pcma|pcma,pcmu|pcmu|pcma"));
  return i < 0 ? PREF_PCMU_PCMA : i;
}

/** The first codec of a preference. */
export function prefFirst(pref: i32): i32 { return CODEC_PCMU + (pref & 1); }

// Rank of codec c (0..4) in preference p: RANK[p * 5 + c] is 0 first, 1 second, 2 not allowed.
const RANK = memory.data<u8>([2, 0, 1, 2, 2, 2, 1, 0, 2, 2, 2, 0, 2, 2, 2, 2, 2, 0, 2, 2]);

/** Rank of codec c in a preference: 0 first, 1 second, 2 not allowed. */
export function prefRank(pref: i32, c: i32): i32 {
  return load<u8>(RANK + <usize>((pref & 3) * 5 + c));
}

/** The codec a static payload type carries without an rtpmap (RFC 3551 table 4). */
export function staticCodec(pt: i32): i32 {
  return pt == 0 ? CODEC_PCMU : pt == 8 ? CODEC_PCMA : CODEC_UNKNOWN;
}
