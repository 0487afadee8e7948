// The bench registry's shapes: each kernel family is a module under host-sim/src/bench/ that
// returns rows (our figure beside the peer's, same input, same run) and facts worth printing.
import type { BenchWasm } from "./wasm.js";
import type { Figure, MeasureOptions } from "./measure.js";

export interface BenchContext {
  wasm: BenchWasm;
  measure: MeasureOptions;
  /** The repository root (build/ and the shared test data are found from here). */
  root: string;
}

export interface BenchRow {
  kernel: string;
  /** What one item is: "sample", "message", "frame". */
  unit: string;
  ours: Figure;
  peer?: { name: string; figure: Figure };
  /** Bytes one item holds (a SIP message's size), when throughput in bytes means something. */
  bytes?: number;
  /** Further figures of the row, named with their unit (e.g. usPerCallSecond, heapGrowthBytes). */
  extra?: Record<string, number>;
}

export interface BenchResult {
  rows: BenchRow[];
  /** One-line facts (e.g. correctness of the peer), printed under the table. */
  facts: string[];
  /** A value folded from every timed run's output, so no run can be optimised away. */
  sink?: number;
}

export interface BenchModule {
  name: string;
  run(ctx: BenchContext): BenchResult;
}
