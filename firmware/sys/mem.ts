// Memory accounting: static data ends at __heap_base; everything after it was allocated at
// start-up by the stub runtime (a bump allocator that never frees). heapTop() reads the bump
// pointer without moving it, so a watch on it proves that nothing allocates in the steady state.
import * as event from "./event";
import { T } from "./text";

/** Current end of the heap (bytes). */
export function heapTop(): usize {
  const p = heap.alloc(1);
  heap.free(p);
  return p;
}

let reported: usize = 0;

/** Emits a `memory` event when the heap has grown since the last report (boot, then never). */
export function report(): void {
  const top = heapTop();
  if (top == reported) return;
  reported = top;
  event.begin(T("memory"))
    .num(T("pages"), memory.size())
    .num(T("data"), <i64>__heap_base)
    .num(T("heap"), <i64>(top - __heap_base))
    .num(T("top"), <i64>top)
    .end();
}
