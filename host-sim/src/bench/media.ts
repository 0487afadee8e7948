// The media row: bench_media (firmware/bench.ts), the whole per-call audio path on synthetic
// packets, on V8. Per 20 ms frame: one microphone frame μ-law encoded into an RTP packet, that
// packet received (RTP checks, source state, jitter, adaptive jitter buffer) and one frame played
// (buffer out, decode, concealment history). Reported: frames/s, µs of CPU per second of call
// (50 frames), the share of one core a call takes, and how much the firmware heap grew over 2000
// frames (must be 0: nothing allocates in the steady state). No npm package runs this path
// (RTP + jitter buffer + PLC + G.711), so the row has no peer; G.711 alone has its own rows.
import { join } from "node:path";
import { measure } from "./measure.js";
import { loadBench, type BenchExports } from "./wasm.js";
import type { BenchContext, BenchModule, BenchResult } from "./types.js";

/** Frames in one second of a call (20 ms each). */
export const FRAMES_PER_SECOND = 50;

/** Heap growth across `run`, read through bench_buffer: asked for more than its 256 KiB scratch
 *  it allocates anew, at the top of the stub runtime's bump heap. Costs 768 KiB of the
 *  instance's memory: use a fresh instance. */
export function heapGrowth(k: BenchExports, run: () => void): number {
  const big = 256 * 1024 + 1;
  const p0 = k.bench_buffer(big) >>> 0;
  const p1 = k.bench_buffer(big) >>> 0;
  run();
  const p2 = k.bench_buffer(big) >>> 0;
  return (p2 - p1) - (p1 - p0);
}

/** Heap growth over `frames` frames after a first call of 10 (which allocates the stream). */
export function mediaHeapGrowth(wasmPath: string, frames = 2000): number {
  const probe = loadBench(wasmPath).exports;
  probe.bench_media(10);
  return heapGrowth(probe, () => { probe.bench_media(frames); });
}

function run(ctx: BenchContext): BenchResult {
  const ex = ctx.wasm.exports;
  let sink = 0;
  const check = ex.bench_media(FRAMES_PER_SECOND);
  const ours = measure((reps) => { sink ^= ex.bench_media(reps); }, 1, ctx.measure);
  const usPerCallSecond = (ours.nsPer * FRAMES_PER_SECOND) / 1000;
  const growth = mediaHeapGrowth(join(ctx.root, "build/bench.wasm"));
  const cpu = usPerCallSecond / 1e4; // µs per 1e6 µs, in per cent
  return {
    rows: [{ kernel: "media path (20 ms frame)", unit: "frame", ours, extra: { usPerCallSecond, cpuPercentPerCall: cpu, heapGrowthBytes: growth, checksum50: check } }],
    facts: [
      `media path: ${usPerCallSecond.toFixed(1)} µs of CPU per second of call (${FRAMES_PER_SECOND} frames), ` +
        `${cpu.toFixed(4)} % of one core per call; firmware heap growth over 2000 frames: ${growth} bytes; no JS peer runs this path`,
    ],
    sink,
  };
}

export const media: BenchModule = { name: "media", run };
