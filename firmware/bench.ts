// bench.wasm: the firmware's hot kernels exported for `npm run bench`, built from the same modules
// with the same "hal" imports, so one file is measured on V8 and on WAMR. Each kernel returns a
// checksum so the work cannot be optimised away.
import "./sys/rt";
import { SipMsg } from "./sip/msg";

const SCRATCH_CAP: i32 = 256 * 1024;
let scratch: usize = 0;

/** Address of a scratch buffer of at least `size` bytes (allocated once, grown if asked for more). */
export function bench_buffer(size: i32): usize {
  if (scratch == 0 || size > SCRATCH_CAP) scratch = heap.alloc(<usize>(size > SCRATCH_CAP ? size : SCRATCH_CAP));
  return scratch;
}

const sipMsg = new SipMsg();

/**
 * Parses the SIP message [ptr, ptr+len) reps times: start line, every header, and the Via, From,
 * To, CSeq, Call-ID and Contact values (SipMsg.parse). Returns a checksum of the fields found, or
 * minus the parse error when the message is not well formed.
 */
export function bench_sip_parse(ptr: usize, len: i32, reps: i32): i32 {
  let sum = 0;
  for (let i = 0; i < reps; i++) {
    const r = sipMsg.parse(ptr, len);
    if (r != 0) return -r;
    sum += sipMsg.hdrCount + sipMsg.viaCount + sipMsg.viaBranch.len + sipMsg.fromTag.len + sipMsg.toUri.len +
      sipMsg.callId.len + <i32>sipMsg.cseq + sipMsg.contactUri.len + sipMsg.body.len;
  }
  return sum;
}
