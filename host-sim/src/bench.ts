// npm run bench: runs build/bench.wasm's kernels on V8 beside the peers they are compared with
// and prints a table (or JSON with --json). Each kernel family is a module in bench/; add one by
// writing the module and listing it in MODULES.
//
//   npm run bench                       the table
//   npm run bench -- --json             machine-readable, on stdout (after the build's line, if
//                                       it had to build)
//   npm run bench -- --json out.json    machine-readable, into a file
//   npm run bench -- --only g711        one family (g711, sip, media)
//   npm run bench -- --quick            shorter runs (rough figures)
//   npm run bench -- --loops            wasm opcodes per loop iteration in build/bench.wat
import { cpus } from "node:os";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadBench } from "./bench/wasm.js";
import { DEFAULT_MEASURE, type MeasureOptions } from "./bench/measure.js";
import { countLoops } from "./bench/loops.js";
import type { BenchModule, BenchRow } from "./bench/types.js";
import { g711 } from "./bench/g711.js";
import { sipParse } from "./bench/sip.js";
import { media } from "./bench/media.js";

const MODULES: BenchModule[] = [g711, sipParse, media];

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const json = args.includes("--json");
const jsonArg = json ? args[args.indexOf("--json") + 1] : undefined;
const jsonFile = jsonArg !== undefined && !jsonArg.startsWith("--") ? jsonArg : null;
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : null;
const measureOpts: MeasureOptions = args.includes("--quick") ? { minMs: 15, runs: 3, warmup: 1 } : DEFAULT_MEASURE;

function fmtRate(v: number): string {
  if (v >= 1e9) return `${(v / 1e9).toFixed(2)} G`;
  if (v >= 1e6) return `${(v / 1e6).toFixed(1)} M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)} k`;
  return v.toFixed(0);
}

function fmtMBps(perSec: number, bytes: number | undefined): string {
  return bytes === undefined ? "-" : (perSec * bytes / 1e6).toFixed(0);
}

function table(rows: BenchRow[]): string {
  const head = ["kernel", "ours /s", "ours ns", "ours MB/s", "peer", "peer /s", "peer ns", "peer MB/s", "ours vs peer"];
  const body = rows.map((r) => [
    r.kernel,
    `${fmtRate(r.ours.perSec)}${r.unit}s`,
    r.ours.nsPer.toFixed(2),
    fmtMBps(r.ours.perSec, r.bytes),
    r.peer?.name ?? "-",
    r.peer ? `${fmtRate(r.peer.figure.perSec)}${r.unit}s` : "-",
    r.peer ? r.peer.figure.nsPer.toFixed(2) : "-",
    r.peer ? fmtMBps(r.peer.figure.perSec, r.bytes) : "-",
    r.peer ? `${(r.peer.figure.nsPer / r.ours.nsPer).toFixed(2)}x` : "-",
  ]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (c: string[]): string => c.map((s, i) => (i === 0 || i === 4 ? s.padEnd(w[i]!) : s.padStart(w[i]!))).join("  ");
  return [line(head), w.map((n) => "-".repeat(n)).join("  "), ...body.map(line)].join("\n");
}

function main(): void {
  if (args.includes("--loops")) {
    const wat = join(root, "build/bench.wat");
    if (!existsSync(wat)) throw new Error("build/bench.wat not found: run npm run build");
    for (const l of countLoops(readFileSync(wat, "utf8"))) console.log(`${String(l.opcodes).padStart(5)}  ${l.func}  ${l.label}${l.nested ? " (contains loops)" : ""}`);
    return;
  }
  if (only && !MODULES.some((m) => m.name === only)) throw new Error(`--only ${only}: no such kernel family (${MODULES.map((m) => m.name).join(", ")})`);
  const wasmPath = join(root, "build/bench.wasm");
  const wasm = loadBench(wasmPath);
  const machine = {
    node: process.version,
    v8: process.versions.v8,
    cpu: cpus()[0]?.model.trim() ?? "unknown",
    cores: cpus().length,
    platform: `${process.platform}-${process.arch}`,
    date: new Date().toISOString(),
    benchWasmBytes: readFileSync(wasmPath).length,
  };
  if (!json) {
    console.log(`node ${machine.node} (V8 ${machine.v8}), ${machine.platform}, ${machine.cpu} (${machine.cores} threads)`);
    console.log(`build/bench.wasm ${machine.benchWasmBytes} bytes; median of ${measureOpts.runs} runs of >= ${measureOpts.minMs} ms each\n`);
  }
  const rows: BenchRow[] = [];
  const facts: string[] = [];
  let sink = 0;
  for (const m of MODULES) {
    if (only && m.name !== only) continue;
    const r = m.run({ wasm, measure: measureOpts, root });
    rows.push(...r.rows);
    facts.push(...r.facts);
    sink ^= r.sink ?? 0;
  }
  if (json) {
    const text = JSON.stringify({ machine, measure: measureOpts, rows, facts, sink }, null, 2) + "\n";
    if (jsonFile) writeFileSync(jsonFile, text);
    else process.stdout.write(text);
    return;
  }
  console.log(table(rows));
  if (facts.length) console.log("\n" + facts.map((f) => `- ${f}`).join("\n"));
}

main();
