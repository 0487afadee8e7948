// Every build-time size in one place. Memory is fixed at start-up from these; nothing grows
// in the steady state. When a pool is full the firmware answers politely (503/486), never traps.
import { T } from "./sys/text";

/** Firmware version reported by `version`, the User-Agent header and the boot event. */
export const FIRMWARE_VERSION = T("0.1.0");
export const USER_AGENT = T("sip-intercom/0.1.0");

// ---- tick loop
/** Longest sleep the firmware asks for when idle (ms). */
export const IDLE_TICK_MS: i32 = 1000;
/** Longest sleep during a call (ms): one audio frame. */
export const CALL_TICK_MS: i32 = 20;

// ---- console
/** Longest console line; longer lines are rejected with an error. */
export const CONSOLE_LINE_MAX: i32 = 300;
/** Console output buffer for one command's answer. */
export const CONSOLE_OUT_CAP: i32 = 4096;
/** Console input bytes taken from hal.console_read at a time (unprocessed ones wait here). */
export const CONSOLE_IN_CAP: i32 = 64;
/** Largest piece handed to hal.console_write at once (a host with a small queue takes pieces). */
export const CONSOLE_WRITE_CHUNK: i32 = 256;
/** Tick interval while console output waits for the host (E_AGAIN) or input waits for it (ms). */
export const CONSOLE_RETRY_MS: i32 = 10;

// ---- settings
/** Bytes of all setting values together (each key has its own maximum). */
export const SETTINGS_ARENA: i32 = 2048;
/** Largest settings blob in kv (header and every key=value record); at most the kv limit, 4000. */
export const SETTINGS_BLOB_MAX: i32 = 2048;

// ---- sdp
/** m= lines kept per session description; an SDP with more is refused (answered 488). */
export const SDP_MAX_MEDIA: i32 = 8;
/** Payload types kept per m= line; the rest of a longer list is ignored. */
export const SDP_MAX_FMTS: i32 = 32;

// ---- media (one call's audio path: docs/media.md)
/** RTP/RTCP port pairs are tried from this even port upwards (RTP even, RTCP = RTP + 1). */
export const RTP_PORT_MIN: i32 = 16384;
/** Number of port pairs tried before giving up (E_ADDRINUSE). */
export const RTP_PORT_PAIRS: i32 = 256;
/** Largest RTP datagram accepted (header + 60 ms of G.711 with room for CSRCs/extensions). */
export const RTP_PACKET_MAX: i32 = 640;
/** Largest RTCP compound packet accepted. */
export const RTCP_PACKET_MAX: i32 = 512;
/** Jitter buffer slots of 20 ms (160 samples of G.711) each: 16 = 320 ms of audio. Power of 2. */
export const JB_FRAMES: i32 = 16;
/** Playout delay bounds (ms, beyond the fastest packet) and the initial target. */
export const JB_MIN_MS: i32 = 20;
export const JB_INIT_MS: i32 = 40;
export const JB_MAX_MS: i32 = 200;
/** RTCP report interval (ms), randomised 0.5..1.5 times (RFC 3550 6.2, two parties). */
export const RTCP_INTERVAL_MS: i32 = 5000;
/** Outgoing DTMF: event length (ms), RFC 4733 volume (-dBm0), queued digits. */
export const DTMF_SEND_MS: i32 = 100;
export const DTMF_VOLUME: i32 = 10;
export const DTMF_QUEUE: i32 = 16;
/** A received DTMF event without packets for this long has ended (its end packets were lost). */
export const DTMF_RX_TIMEOUT_MS: i32 = 600;

// ---- SIP message layer (firmware/sip/; docs/sip-parser.md)
/** Header fields indexed per message; more is a parse error (400 Too many headers). */
export const SIP_MAX_HEADERS: i32 = 80;
/** Longest start line or header field (name, value and folds), bytes; longer is a parse error. */
export const SIP_MAX_LINE: i32 = 2048;
/** Largest datagram the parser looks at (a UDP datagram holds at most 65507). */
export const SIP_MAX_MSG: i32 = 65535;
/** Warn-agent of the Warning: 399 header sent with a 400 (RFC 3261 20.43: a token will do). */
export const SIP_WARN_AGENT = T("intercom");
/** Longest realm, nonce or opaque kept from a digest challenge (RFC 2617); longer is refused. */
export const DIGEST_FIELD_MAX: i32 = 200;

// ---- SIP transport, transactions, registration
/** Largest SIP datagram taken whole; larger ones are dropped (UDP messages stay under the MTU). */
export const SIP_RX_CAP: i32 = 4096;
/** Buffer for a stateless response: it copies the request's Via, From, To, Call-ID and CSeq, so
 *  it is as large as the largest request taken. */
export const SIP_TX_CAP: i32 = SIP_RX_CAP + 512;
/** Transactions alive at once (client and server); a full pool answers 503. */
export const MAX_TRANSACTIONS: i32 = 12;
/** Bytes kept per transaction: the request (client) or the last response (server). */
export const TXN_BUF: i32 = 2048;
/** Host names cached by the resolver. */
export const RESOLVE_SLOTS: i32 = 4;
export const RESOLVE_NAME_MAX: i32 = 128;

// ---- io
/** An input level must hold this long to count (ms). */
export const DEBOUNCE_MS: i64 = 20;

// ---- calls
/** Targets rung at once by one button press (each its own INVITE dialog). */
export const MAX_LEGS: i32 = 3;
