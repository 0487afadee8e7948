// SIP parse benchmark: bench.wasm's bench_sip_parse over messages as real peers send them
// (test/fixtures/sip/), on whatever engine runs this (V8 under Node). Reports messages/s and
// bytes/s per message and for the mix. The caller instantiates bench.wasm (with the HAL) and
// hands over its exports.
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface SipBenchKernels {
  memory: WebAssembly.Memory;
  bench_buffer(size: number): number;
  bench_sip_parse(ptr: number, len: number, reps: number): number;
}

export interface SipBenchRow {
  name: string;
  bytes: number;          // size of one message
  reps: number;           // parses timed
  seconds: number;
  msgPerSec: number;
  bytesPerSec: number;
}

/** The mix: INVITE with SDP, 200 OK with SDP and Record-Route, REGISTER with Authorization, 401, BYE. */
export const SIP_BENCH_CORPUS = [
  "asterisk-invite.sip",
  "kamailio-200-invite.sip",
  "yealink-register.sip",
  "kamailio-401.sip",
  "grandstream-bye.sip",
];

function now(): number { return Number(process.hrtime.bigint()) / 1e9; }

/**
 * Times bench_sip_parse on each corpus message for at least minSeconds (default 0.25 s) after a
 * warm-up; throws when a message does not parse. The last row, "mix", is the corpus as a whole
 * (every message once per round).
 */
export function benchSip(k: SipBenchKernels, opts: { dir?: string; corpus?: string[]; minSeconds?: number } = {}): SipBenchRow[] {
  const dir = opts.dir ?? join("test", "fixtures", "sip");
  const corpus = opts.corpus ?? SIP_BENCH_CORPUS;
  const minSeconds = opts.minSeconds ?? 0.25;
  const msgs = corpus.map((name) => ({ name, data: readFileSync(join(dir, name)) }));
  const size = msgs.reduce((n, m) => n + m.data.length, 0);
  const base = k.bench_buffer(size);
  const at: number[] = [];
  let off = 0;
  for (const m of msgs) {
    new Uint8Array(k.memory.buffer, base + off, m.data.length).set(m.data);
    at.push(base + off);
    off += m.data.length;
  }
  const rows: SipBenchRow[] = [];
  let mixSeconds = 0, mixReps = 0;
  msgs.forEach((m, i) => {
    const check = k.bench_sip_parse(at[i]!, m.data.length, 1);
    if (check <= 0) throw new Error(`${m.name} does not parse (error ${-check})`);
    k.bench_sip_parse(at[i]!, m.data.length, 2000);
    let reps = 1000, seconds = 0;
    for (;;) {
      const t0 = now();
      const sum = k.bench_sip_parse(at[i]!, m.data.length, reps);
      seconds = now() - t0;
      if (sum !== Math.imul(check, reps)) throw new Error(`${m.name}: checksum ${sum}`);   // i32 wrap, as in wasm
      if (seconds >= minSeconds) break;
      reps *= seconds > 0 ? Math.min(10, Math.ceil((minSeconds * 1.2) / seconds)) : 10;
    }
    rows.push({ name: m.name, bytes: m.data.length, reps, seconds, msgPerSec: reps / seconds, bytesPerSec: (reps * m.data.length) / seconds });
    mixSeconds += seconds / reps;
    mixReps += 1;
  });
  rows.push({ name: "mix", bytes: size / msgs.length, reps: mixReps, seconds: mixSeconds, msgPerSec: msgs.length / mixSeconds, bytesPerSec: size / mixSeconds });
  return rows;
}
