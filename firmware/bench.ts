// bench.wasm: the firmware's hot kernels exported for `npm run bench`, built from the same modules
// with the same "hal" imports, so one file is measured on V8 and on WAMR. Each kernel returns a
// checksum so the work cannot be optimised away.
import "./sys/rt";

const SCRATCH_CAP: i32 = 256 * 1024;
let scratch: usize = 0;

/** Address of a scratch buffer of at least `size` bytes (allocated once, grown if asked for more). */
export function bench_buffer(size: i32): usize {
  if (scratch == 0 || size > SCRATCH_CAP) scratch = heap.alloc(<usize>(size > SCRATCH_CAP ? size : SCRATCH_CAP));
  return scratch;
}
