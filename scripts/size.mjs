#!/usr/bin/env node
// Where the firmware's bytes go: builds an entry (default firmware/main.ts) with the release
// settings plus a name section, and prints code bytes per source file and the largest functions,
// the data section and the text blob. Use it before and after a change; the budget is 65536 bytes
// for firmware.wasm with every feature.
//
//   node scripts/size.mjs [entry.ts] [--top N]
import { shrink } from "./wasm-opt.mjs";
import { execFileSync } from "node:child_process";
import { readFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const entry = args.find((a) => a.endsWith(".ts")) ?? "firmware/main.ts";
const top = args.includes("--top") ? Number(args[args.indexOf("--top") + 1]) : 25;
const dir = mkdtempSync(join(tmpdir(), "size-"));
const out = join(dir, "fw.wasm");
const plain = join(dir, "plain.wasm");
const asc = [join(root, "node_modules/assemblyscript/bin/asc.js"), entry, "--config", join(root, "asconfig.json"), "--target", "release", "--textFile", join(dir, "x.wat")];
execFileSync(process.execPath, [...asc, "-o", plain], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
execFileSync(process.execPath, [...asc, "--debug", "-o", out], { cwd: root, stdio: ["ignore", "ignore", "inherit"] });
// the same last binaryen round as `npm run build` (scripts/wasm-opt.mjs)
if (entry === "firmware/main.ts") { shrink(plain); shrink(out, undefined, true); }

function sections(b) {
  let p = 8;
  const u = () => { let r = 0, s = 0, x; do { x = b[p++]; r |= (x & 127) << s; s += 7; } while (x & 128); return r >>> 0; };
  const res = { sizes: {}, bodies: [], imports: 0, names: {}, data: [] };
  while (p < b.length) {
    const id = b[p++], n = u(), end = p + n;
    res.sizes[id] = (res.sizes[id] ?? 0) + n;
    if (id === 2) {
      for (let c = u(); c > 0; c--) { let l = u(); p += l; l = u(); p += l; const k = b[p++]; if (k === 0) { u(); res.imports++; } else if (k === 1) { p++; const f = b[p++]; u(); if (f & 1) u(); } else if (k === 2) { const f = b[p++]; u(); if (f & 1) u(); } else p += 2; }
    } else if (id === 10) {
      for (let c = u(); c > 0; c--) { const sz = u(); res.bodies.push(sz); p += sz; }
    } else if (id === 11) {
      for (let c = u(); c > 0; c--) { const f = u(); if (f === 0) { p++; u(); p++; } else if (f === 2) { u(); p++; u(); p++; } const l = u(); res.data.push(l); p += l; }
    } else if (id === 0) {
      const nl = u(); const nm = b.subarray(p, p + nl).toString(); p += nl;
      if (nm === "name") while (p < end) { const sid = b[p++], ss = u(), se = p + ss; if (sid === 1) for (let c = u(); c > 0; c--) { const idx = u(), l = u(); res.names[idx] = b.subarray(p, p + l).toString(); p += l; } p = se; }
    }
    p = end;
  }
  return res;
}

const named = sections(readFileSync(out));
const release = sections(readFileSync(plain));
const total = readFileSync(plain).length;
const rows = named.bodies.map((s, i) => [s, named.names[i + named.imports] ?? `f${i}`]);
const byFile = new Map();
for (const [s, n] of rows) {
  const f = n.replace(/^(start:)?/, "").replace(/[#/][^/]*$/, "").replace(/^~lib\/.*/, "~lib (AssemblyScript runtime)");
  byFile.set(f, (byFile.get(f) ?? 0) + s);
}
console.log(`${entry}: ${total} bytes (${(100 * total / 65536).toFixed(1)}% of 65536); code ${release.sizes[10] ?? 0}, data ${release.sizes[11] ?? 0} in ${release.data.length} segments, largest segment ${Math.max(0, ...release.data)} (the text blob)`);
console.log("\ncode bytes per file:");
for (const [f, s] of [...byFile].sort((a, b) => b[1] - a[1])) console.log(`${String(s).padStart(7)}  ${f}`);
console.log(`\nlargest ${top} functions:`);
for (const [s, n] of rows.sort((a, b) => b[0] - a[0]).slice(0, top)) console.log(`${String(s).padStart(7)}  ${n}`);
rmSync(dir, { recursive: true, force: true });
