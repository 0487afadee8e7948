// Audio formats the intercom speaks (RFC 3551 static payload types 0 PCMU and 8 PCMA, G.711 at
// 8000 Hz) and RFC 4733 telephone-event; the codec preference of the `call.codecs` setting.
// The caller passes the preference in; nothing in sdp/ reads settings.
import { eqNoCase } from "../sys/bytes";
import { T } from "../sys/text";

/** What a payload type carries, as far as this firmware cares. */
export const CODEC_UNKNOWN: u8 = 0; // dynamic PT without an rtpmap
export const CODEC_PCMU: u8 = 1;
export const CODEC_PCMA: u8 = 2;
export const CODEC_TE: u8 = 3;      // telephone-event/8000
export const CODEC_OTHER: u8 = 4;

/** Law numbers as media/g711 and bench_g711 use them. */
export const LAW_ULAW: i32 = 0;
export const LAW_ALAW: i32 = 1;

/** Static payload types (RFC 3551 table 4). */
export const PT_PCMU: i32 = 0;
export const PT_PCMA: i32 = 8;
/** Dynamic payload type of telephone-event in our offers. */
export const PT_TE_OFFER: i32 = 101;
/** DTMF events we send and receive: 0-15 (digits, *, #, A-D) and 16 (flash). */
export const TE_EVENTS: u32 = 0x1ffff;

/** Codec preference, in the order of the `call.codecs` choices. */
export const PREF_PCMU_PCMA: i32 = 0;
export const PREF_PCMA_PCMU: i32 = 1;
export const PREF_PCMU: i32 = 2;
export const PREF_PCMA: i32 = 3;

/** The preference named by a `call.codecs` value ("pcmu,pcma", "pcma,pcmu", "pcmu", "pcma");
 *  anything else gives PREF_PCMU_PCMA. */
export function prefFromSetting(p: usize, n: i32): i32 {
  if (eqNoCase(p, n, T("pcma,pcmu"))) return PREF_PCMA_PCMU;
  if (eqNoCase(p, n, T("pcmu"))) return PREF_PCMU;
  if (eqNoCase(p, n, T("pcma"))) return PREF_PCMA;
  return PREF_PCMU_PCMA;
}

/** Number of codecs in a preference (1 or 2). */
export function prefCount(pref: i32): i32 {
  return pref == PREF_PCMU || pref == PREF_PCMA ? 1 : 2;
}

/** The i-th codec of a preference (CODEC_PCMU or CODEC_PCMA), or CODEC_UNKNOWN past its end. */
export function prefCodec(pref: i32, i: i32): u8 {
  if (i >= prefCount(pref)) return CODEC_UNKNOWN;
  const ulawFirst = pref == PREF_PCMU_PCMA || pref == PREF_PCMU;
  return (i == 0) == ulawFirst ? CODEC_PCMU : CODEC_PCMA;
}

/** True when the preference allows codec c. */
export function prefAllows(pref: i32, c: u8): bool {
  return prefCodec(pref, 0) == c || prefCodec(pref, 1) == c;
}

/** The codec a static payload type carries without an rtpmap. */
export function staticCodec(pt: i32): u8 {
  return pt == PT_PCMU ? CODEC_PCMU : pt == PT_PCMA ? CODEC_PCMA : CODEC_UNKNOWN;
}

/** Classifies an rtpmap encoding: name (case-insensitive, RFC 4566 6), clock rate, channels
 *  (0 when absent). */
export function classify(name: usize, nameLen: i32, rate: i32, channels: i32): u8 {
  const mono = channels == 0 || channels == 1;
  if (rate == 8000 && mono) {
    if (eqNoCase(name, nameLen, T("PCMU"))) return CODEC_PCMU;
    if (eqNoCase(name, nameLen, T("PCMA"))) return CODEC_PCMA;
  }
  if (rate == 8000 && eqNoCase(name, nameLen, T("telephone-event"))) return CODEC_TE;
  return CODEC_OTHER;
}
