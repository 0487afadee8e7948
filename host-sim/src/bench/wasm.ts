// Loads build/bench.wasm for `npm run bench` and the bench tests: the generated HAL adapter over
// an inert host (no network, audio or io; deterministic random bytes; a panic throws), and the
// kernel exports of ARCHITECTURE.md "Benchmarks" with typed access to linear memory.
import { readFileSync } from "node:fs";
import { bindHal, HAL_MODULE, HalError, type HalHost } from "../hal/contract.js";

/** The kernel contract. Pointers are offsets into linear memory; i32 results may be negative. */
export interface BenchExports {
  memory: WebAssembly.Memory;
  bench_buffer(size: number): number;
  bench_g711(law: number, op: number, inPtr: number, outPtr: number, n: number, reps: number): number;
  /** >= 0: checksum of reps full parses (31 bits); < 0: minus the parse error. */
  bench_sip_parse(ptr: number, len: number, reps: number): number;
  bench_media(frames: number): number;
}

export interface BenchWasm {
  exports: BenchExports;
  /** A byte view of linear memory (take a new one after anything that may grow memory). */
  bytes(ptr: number, len: number): Uint8Array;
  /** An i16 view; ptr must be even. */
  i16(ptr: number, count: number): Int16Array;
}

/** A HalHost that does nothing: bench kernels only compute. */
export function inertHost(): HalHost {
  let seed = 0x2545f491;
  const dec = new TextDecoder();
  return {
    clock_now_ms: () => 0n,
    random_fill: (buf) => { for (let i = 0; i < buf.length; i++) { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; buf[i] = seed >>> 24; } return buf.length; },
    console_read: () => 0,
    console_write: (data) => data.length,
    log_write: () => {},
    net_udp_open: () => HalError.E_NETDOWN,
    net_udp_close: () => HalError.E_BADF,
    net_udp_local_port: () => HalError.E_BADF,
    net_udp_send: () => HalError.E_BADF,
    net_udp_recv: () => HalError.E_BADF,
    net_local_ip: () => 0,
    net_resolve: () => HalError.E_NETDOWN,
    net_resolve_result: () => HalError.E_BADF,
    audio_start: () => HalError.E_UNSUPPORTED,
    audio_stop: () => HalError.OK,
    audio_read: () => HalError.E_BADF,
    audio_write: () => HalError.E_BADF,
    audio_set_volume: () => HalError.E_UNSUPPORTED,
    io_find: () => HalError.E_NOTFOUND,
    io_read: () => HalError.E_BADF,
    io_write: () => HalError.E_BADF,
    kv_read: () => HalError.E_NOTFOUND,
    kv_write: () => HalError.E_IO,
    kv_erase: () => HalError.OK,
    event_emit: () => {},
    sys_reboot: () => {},
    sys_watchdog_feed: () => {},
    sys_info: () => HalError.E_NOTFOUND,
    sys_panic: (file, line, msg) => { throw new Error(`bench.wasm panic at ${dec.decode(file)}:${line}: ${dec.decode(msg)}`); },
  };
}

/** Instantiates bench.wasm (a path or the bytes). Throws when it does not load or lacks a kernel. */
export function loadBench(wasm: string | Uint8Array = "build/bench.wasm"): BenchWasm {
  const bin = typeof wasm === "string" ? readFileSync(wasm) : wasm;
  let exp: BenchExports | null = null;
  const memory = (): WebAssembly.Memory => exp!.memory;
  const imports = { [HAL_MODULE]: bindHal(inertHost(), memory) } as unknown as WebAssembly.Imports;
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bin as Uint8Array<ArrayBuffer>), imports);
  exp = inst.exports as unknown as BenchExports;
  for (const k of ["memory", "bench_buffer", "bench_g711", "bench_sip_parse", "bench_media"] as const) {
    if (!(k in exp)) throw new Error(`bench.wasm lacks export ${k}`);
  }
  const e = exp;
  return {
    exports: e,
    bytes: (ptr, len) => new Uint8Array(e.memory.buffer, ptr >>> 0, len),
    i16: (ptr, count) => new Int16Array(e.memory.buffer, ptr >>> 0, count),
  };
}

/** FNV-1a (32-bit) of bytes, as the kernels compute their checksum; returned as a signed i32. */
export function fnv1a(b: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h | 0;
}
