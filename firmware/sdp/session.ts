// A parsed session description (RFC 4566 section 5): the session-level fields and up to
// SDP_MAX_MEDIA media descriptions, as spans (offset, length) into the body and parsed numbers.
// The body is not copied: spans stay valid while the caller keeps the bytes (build the answer
// before the receive buffer is reused). Objects are created once at start-up and reused.
import { SDP_MAX_MEDIA, SDP_MAX_FMTS } from "../config";

/** Results of parse, answer and processAnswer. parse errors mean a malformed body (answer 400;
 *  SDP_E_TOO_MANY 488); negotiation errors mean no usable audio (answer 488, or end the call). */
export const SDP_OK: i32 = 0;
export const SDP_E_SYNTAX: i32 = -1;    // malformed line or field, v/o/s missing or misplaced
export const SDP_E_VERSION: i32 = -2;   // v= is not 0
export const SDP_E_TOO_MANY: i32 = -3;  // more than SDP_MAX_MEDIA m= lines
export const SDP_E_NO_CODEC: i32 = -4;  // no acceptable audio stream with a codec in common
export const SDP_E_MISMATCH: i32 = -5;  // an answer that does not fit our offer
export const SDP_E_OVERFLOW: i32 = -6;  // the writer is too small for the SDP

/** Direction (RFC 4566 6, RFC 3264 5.1) as bits: we/they send, we/they receive. */
export const DIR_SEND: i32 = 1;
export const DIR_RECV: i32 = 2;
export const DIR_INACTIVE: i32 = 0;
export const DIR_SENDONLY: i32 = DIR_SEND;
export const DIR_RECVONLY: i32 = DIR_RECV;
export const DIR_SENDRECV: i32 = DIR_SEND | DIR_RECV;
/** No direction attribute at this level. */
export const DIR_UNSET: i32 = -1;

/** Connection (c=) values besides an IPv4 address (0 is 0.0.0.0, the RFC 2543 hold). */
export const CONN_NONE: i64 = -1;     // no c= at this level
export const CONN_UNUSABLE: i64 = -2; // IP6, a host name, multicast or not IN: not for us

/** Media types and transports we tell apart. */
export const KIND_OTHER: i32 = 0;
export const KIND_AUDIO: i32 = 1;
export const PROTO_OTHER: i32 = 0;     // not RTP (udptl, DTLS/SCTP ...): formats are tokens
export const PROTO_AVP: i32 = 1;       // RTP/AVP
export const PROTO_AVPF: i32 = 2;      // RTP/AVPF
export const PROTO_RTP_OTHER: i32 = 3; // RTP/SAVP, RTP/SAVPF, UDP/TLS/RTP/SAVPF, TCP/RTP/AVP ...

/** fmtp events bit 31: an a=fmtp line was seen for this payload type (bits 0-30: events). */
export const FMTP_SEEN: u32 = 0x80000000;

/** One m= section. */
export class Media {
  kind: i32 = KIND_OTHER;
  typeOff: i32 = 0;
  typeLen: i32 = 0;
  port: i32 = 0;
  proto: i32 = PROTO_OTHER;
  protoOff: i32 = 0;
  protoLen: i32 = 0;
  /** The format list as written (echoed in a rejected answer line). */
  fmtOff: i32 = 0;
  fmtLen: i32 = 0;
  /** RTP payload types in offer order, what each carries, and its fmtp events. */
  nfmt: i32 = 0;
  fmtOverflow: bool = false;
  pt: StaticArray<u8> = new StaticArray<u8>(SDP_MAX_FMTS);
  codec: StaticArray<u8> = new StaticArray<u8>(SDP_MAX_FMTS);
  events: StaticArray<u32> = new StaticArray<u32>(SDP_MAX_FMTS);
  conn: i64 = CONN_NONE;
  dir: i32 = DIR_UNSET;
  ptime: i32 = 0;     // a=ptime, 0 when absent
  maxptime: i32 = 0;  // a=maxptime, 0 when absent
  rtcpPort: i32 = 0;  // a=rtcp (RFC 3605), 0 when absent

  reset(): void {
    this.kind = KIND_OTHER;
    this.port = 0;
    this.proto = PROTO_OTHER;
    this.nfmt = 0;
    this.fmtOverflow = false;
    this.conn = CONN_NONE;
    this.dir = DIR_UNSET;
    this.ptime = 0;
    this.maxptime = 0;
    this.rtcpPort = 0;
  }

  /** Index of payload type pt in the format list, or -1. */
  indexOf(pt: i32): i32 {
    for (let i = 0; i < this.nfmt; i++) if (<i32>unchecked(this.pt[i]) == pt) return i;
    return -1;
  }
}

/** A whole session description. */
export class Session {
  base: usize = 0;
  len: i32 = 0;
  /** o=: sess-id, sess-version, and the unicast address when it is IPv4 (else CONN_UNUSABLE). */
  sessId: u64 = 0;
  sessVersion: u64 = 0;
  originAddr: i64 = CONN_UNUSABLE;
  /** t= value as written (an answer repeats it, RFC 3264 6); tLen 0 when absent. */
  tOff: i32 = 0;
  tLen: i32 = 0;
  conn: i64 = CONN_NONE;
  dir: i32 = DIR_UNSET;
  nmedia: i32 = 0;
  media: StaticArray<Media> = new StaticArray<Media>(SDP_MAX_MEDIA);

  constructor() {
    for (let i = 0; i < SDP_MAX_MEDIA; i++) unchecked(this.media[i] = new Media());
  }

  reset(base: usize, len: i32): void {
    this.base = base;
    this.len = len;
    this.sessId = 0;
    this.sessVersion = 0;
    this.originAddr = CONN_UNUSABLE;
    this.tOff = 0;
    this.tLen = 0;
    this.conn = CONN_NONE;
    this.dir = DIR_UNSET;
    this.nmedia = 0;
  }

  /** Media section i (0 <= i < nmedia). */
  m(i: i32): Media { return this.media[i]; }

  /** Effective connection of media i: its own c= over the session's. */
  connOf(i: i32): i64 {
    const c = this.media[i].conn;
    return c != CONN_NONE ? c : this.conn;
  }

  /** Effective direction of media i: its own attribute over the session's; sendrecv by default. */
  dirOf(i: i32): i32 {
    const d = this.media[i].dir;
    if (d != DIR_UNSET) return d;
    return this.dir != DIR_UNSET ? this.dir : DIR_SENDRECV;
  }
}
