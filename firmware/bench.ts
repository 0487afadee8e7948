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
