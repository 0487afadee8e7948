// Timing for `npm run bench`: calibrate the repetitions so one run lasts at least minMs, warm up,
// time several runs and keep the median. Wall-clock time belongs here only, never in tests.

export interface MeasureOptions {
  /** Shortest run in ms after calibration. */
  minMs: number;
  /** Timed runs; the median is reported. */
  runs: number;
  /** Untimed runs after calibration. */
  warmup: number;
}

export const DEFAULT_MEASURE: MeasureOptions = { minMs: 60, runs: 7, warmup: 2 };

export interface Figure {
  /** Items (samples, messages, frames) per second, from the median run. */
  perSec: number;
  /** Nanoseconds per item, from the median run. */
  nsPer: number;
  /** Spread of the timed runs: (max - min) / median. */
  spread: number;
  reps: number;
  runs: number;
}

function ms(): number { return Number(process.hrtime.bigint()) / 1e6; }

/** Times run(reps), which processes itemsPerRep items per repetition. */
export function measure(run: (reps: number) => void, itemsPerRep: number, o: MeasureOptions = DEFAULT_MEASURE): Figure {
  let reps = 1;
  for (;;) {
    const t0 = ms();
    run(reps);
    const dt = ms() - t0;
    if (dt >= o.minMs / 4 || reps >= 2 ** 30) {
      reps = Math.max(1, Math.ceil(reps * o.minMs / Math.max(dt, 0.001)));
      break;
    }
    reps *= 4;
  }
  for (let i = 0; i < o.warmup; i++) run(reps);
  const times: number[] = [];
  for (let i = 0; i < o.runs; i++) {
    const t0 = ms();
    run(reps);
    times.push(ms() - t0);
  }
  times.sort((a, b) => a - b);
  const med = times[times.length >> 1]!;
  const items = reps * itemsPerRep;
  return {
    perSec: items / (med / 1000),
    nsPer: (med * 1e6) / items,
    spread: (times[times.length - 1]! - times[0]!) / med,
    reps,
    runs: o.runs,
  };
}
