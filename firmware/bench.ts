// bench.wasm: the firmware's hot kernels exported for `npm run bench`, built from the same modules
// with the same "hal" imports, so one file is measured on V8 and on WAMR. Each kernel returns a
// checksum so the work cannot be optimised away. The contract is in ARCHITECTURE.md "Benchmarks";
// docs/bench.md describes each kernel. Keep this a plain list of exported kernels.
import "./sys/rt";
import { ulawEncodeFrame, ulawDecodeFrame, alawEncodeFrame, alawDecodeFrame } from "./media/g711";

const SCRATCH_CAP: i32 = 256 * 1024;
let scratch: usize = 0;

/** Address of a scratch buffer of at least `size` bytes (allocated once, grown if asked for more). */
export function bench_buffer(size: i32): usize {
  if (scratch == 0 || size > SCRATCH_CAP) scratch = heap.alloc(<usize>(size > SCRATCH_CAP ? size : SCRATCH_CAP));
  return scratch;
}

/** FNV-1a (32-bit) of n bytes: the checksum every kernel returns over its output. */
function fnv1a(p: usize, n: i32): i32 {
  let h: u32 = 0x811c9dc5;
  for (let i = 0; i < n; i++) h = (h ^ <u32>load<u8>(p + <usize>i)) * 0x01000193;
  return <i32>h;
}

/** G.711 over one buffer, reps times: law 0 = μ, 1 = A; op 0 = encode (n i16 samples at inPtr
 *  to n bytes at outPtr), 1 = decode (n bytes to n i16). Returns FNV-1a of the output bytes
 *  (n for encode, 2n for decode), or -1 when law or op is out of range (nothing is run). */
export function bench_g711(law: i32, op: i32, inPtr: usize, outPtr: usize, n: i32, reps: i32): i32 {
  if (<u32>law > 1 || <u32>op > 1) return -1;
  for (let r = 0; r < reps; r++) {
    if (op == 0) {
      if (law == 0) ulawEncodeFrame(inPtr, outPtr, n);
      else alawEncodeFrame(inPtr, outPtr, n);
    } else {
      if (law == 0) ulawDecodeFrame(inPtr, outPtr, n);
      else alawDecodeFrame(inPtr, outPtr, n);
    }
  }
  return fnv1a(outPtr, n <= 0 ? 0 : op == 0 ? n : n << 1);
}

// ---- bench_media: the whole per-call audio path on synthetic packets, no HAL I/O in the loop.
import { MediaStream, LAW_ULAW, DIR_SENDRECV, TX_MAX } from "./media/stream";

let benchStream: MediaStream | null = null;
const benchMic = memory.data(320);
const benchSpk = memory.data(320);
const benchPkt = memory.data(TX_MAX);

/** Runs `frames` 20 ms frames of one call: each frame encodes a microphone frame (μ-law) into
 *  an RTP packet, receives that packet (RTP checks, source state, jitter, jitter buffer) and
 *  plays one frame (buffer, decode, concealment history). Returns a checksum of the output. */
export function bench_media(frames: i32): i32 {
  if (benchStream === null) {
    benchStream = new MediaStream();
    for (let i = 0; i < 160; i++) { // a 400 Hz square-ish wave, period 20 samples
      store<i16>(benchMic + (<usize>i << 1), <i16>((i % 20) < 10 ? 8000 - i * 10 : -8000 + i * 10));
    }
  }
  const s = benchStream!;
  s.start(0, LAW_ULAW, 101, DIR_SENDRECV, 0x0a000002, 40000, 0);
  let sum = 0;
  for (let f = 0; f < frames; f++) {
    const t = <i64>f * 20;
    const n = s.sendFrame(benchMic, benchPkt, t);
    s.receiveRtp(benchPkt, n, 0x0a000002, 40000, t);
    s.playFrame(benchSpk, t);
    sum += <i32>load<i16>(benchSpk + <usize>((f & 127) << 1));
  }
  return sum;
}

// ---- bench_sip_parse: the SIP parser over one message.
import { SipMsg } from "./sip/msg";

const sipMsg = new SipMsg();

/**
 * Parses the SIP message [ptr, ptr+len) reps times: start line (Request-URI into its parts),
 * every header line, and the values of the headers the parser knows (Via, From, To, CSeq,
 * Call-ID, Contact, Content-Length, ...; SipMsg.parse). Per parse it adds hdrCount + viaCount +
 * cseq + the lengths of the top Via's branch, the From tag, the To URI, the Call-ID, the Contact
 * URI and the body; the sum is kept to 31 bits, so the result is >= 0. When the message is not
 * well formed it returns minus the parse error (E_* of firmware/sip/error.ts, so <= -1).
 */
export function bench_sip_parse(ptr: usize, len: i32, reps: i32): i32 {
  let sum = 0;
  for (let i = 0; i < reps; i++) {
    const r = sipMsg.parse(ptr, len);
    if (r != 0) return -r;
    sum = (sum + sipMsg.hdrCount + sipMsg.viaCount + sipMsg.viaBranch.len + sipMsg.fromTag.len + sipMsg.toUri.len +
      sipMsg.callId.len + <i32>sipMsg.cseq + sipMsg.contactUri.len + sipMsg.body.len) & 0x7fffffff;
  }
  return sum;
}
