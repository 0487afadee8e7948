// Benchmark of the per-call audio path (bench_media in firmware/bench.ts) on V8: frames per
// second, and the cost of one second of a call (50 frames: one RTP packet built and one parsed,
// jitter buffer in and out, one G.711 encode and decode of 160 samples, concealment history).
// The lead's `npm run bench` table calls benchMedia(); it needs build/bench.wasm.
import { readFileSync } from "node:fs";
import { HAL_MODULE, HalError } from "../hal/contract.js";

export interface MediaBenchResult {
  /** Frames run in the timed part. */
  frames: number;
  /** 20 ms frames processed per second of CPU on this host. */
  framesPerSec: number;
  /** Microseconds of CPU per second of call (50 frames). */
  usPerCallSecond: number;
  /** Share of one core one call takes (per cent). */
  cpuPercentPerCall: number;
  /** The kernel's checksum (identical on every host for the same wasm). */
  checksum: number;
  /** Bytes the firmware heap grew during the timed run: 0, or something allocates per frame. */
  heapGrowth: number;
}

interface MediaKernel {
  bench_media(frames: number): number;
  bench_buffer(size: number): number;
  memory: WebAssembly.Memory;
}

/** Heap growth across `run`, read through bench_buffer: asked for more than its 256 KiB scratch
 *  it allocates anew, at the top of the stub runtime's bump heap. Costs 768 KiB of the
 *  instance's memory: use a fresh instance. */
export function heapGrowth(k: MediaKernel, run: () => void): number {
  const big = 256 * 1024 + 1;
  const p0 = k.bench_buffer(big) >>> 0;
  const p1 = k.bench_buffer(big) >>> 0;
  run();
  const p2 = k.bench_buffer(big) >>> 0;
  return (p2 - p1) - (p1 - p0);
}

/** Instantiates bench.wasm with an inert HAL (the kernel touches only random_fill, before its
 *  loop) and returns the kernel. */
export function loadMediaKernel(wasm: string | Uint8Array = "build/bench.wasm"): MediaKernel {
  const bin = typeof wasm === "string" ? readFileSync(wasm) : wasm;
  const module = new WebAssembly.Module(bin as Uint8Array<ArrayBuffer>);
  let seed = 0x2545f491;
  let memory: WebAssembly.Memory | null = null;
  const hal: Record<string, (...args: number[]) => number | bigint | void> = {};
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module !== HAL_MODULE || imp.kind !== "function") continue;
    if (imp.name === "random_fill") {
      hal[imp.name] = (p: number, n: number): number => {
        const b = new Uint8Array(memory!.buffer, p >>> 0, n >>> 0);
        for (let i = 0; i < n; i++) { seed = (seed * 1103515245 + 12345) >>> 0; b[i] = seed >>> 24; }
        return n;
      };
    } else if (imp.name === "clock_now_ms") hal[imp.name] = (): bigint => 0n;
    else if (imp.name === "sys_panic") hal[imp.name] = (): void => { throw new Error("bench.wasm panicked"); };
    else hal[imp.name] = (): number => HalError.E_UNSUPPORTED;
  }
  const inst = new WebAssembly.Instance(module, { [HAL_MODULE]: hal } as WebAssembly.Imports);
  const exp = inst.exports as unknown as MediaKernel;
  memory = exp.memory;
  if (typeof exp.bench_media !== "function") throw new Error("bench.wasm has no bench_media export");
  return exp;
}

/** Runs bench_media: a warm-up, then `frames` frames timed (default 100,000 = 2000 s of call). */
export function benchMedia(opts: { wasm?: string | Uint8Array; frames?: number } = {}): MediaBenchResult {
  const k = loadMediaKernel(opts.wasm);
  const frames = opts.frames ?? 100_000;
  k.bench_media(Math.min(5000, frames));
  const t0 = process.hrtime.bigint();
  const checksum = k.bench_media(frames);
  const ns = Number(process.hrtime.bigint() - t0);
  const framesPerSec = frames / (ns / 1e9);
  const usPerCallSecond = (ns / 1000) / (frames / 50);
  const probe = loadMediaKernel(opts.wasm);
  probe.bench_media(10);
  const growth = heapGrowth(probe, () => { probe.bench_media(2_000); });
  return { frames, framesPerSec, usPerCallSecond, cpuPercentPerCall: usPerCallSecond / 1e4, checksum, heapGrowth: growth };
}
