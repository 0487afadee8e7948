#!/usr/bin/env node
// Builds everything: firmware.wasm (release), firmware.debug.wasm, bench.wasm (asc), and the Node
// side (esbuild): build/intercom-sim.mjs (the CLI), build/host-sim.mjs (the library the tests and
// tools import), build/bench.mjs. Prints the firmware's size and linear-memory use against the
// budgets. `--if-needed` skips the work when every output is newer than every input.
import { execFileSync } from "node:child_process";
import { shrink } from "./wasm-opt.mjs";
import { existsSync, readdirSync, statSync, mkdirSync, readFileSync } from "node:fs";
import { join, dirname } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createRequire } from "node:module";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
process.chdir(root);

export const WASM_BUDGET = 65536;

const asTargets = [
  { entry: "firmware/main.ts", target: "release", out: "build/firmware.wasm", shrink: "build/firmware.wat" },
  { entry: "firmware/main.ts", target: "debug", out: "build/firmware.debug.wasm" },
  { entry: "firmware/bench.ts", target: "bench", out: "build/bench.wasm" },
];
const nodeBundles = [
  { entry: "host-sim/src/cli.ts", out: "build/intercom-sim.mjs", banner: "#!/usr/bin/env node" },
  { entry: "host-sim/src/index.ts", out: "build/host-sim.mjs" },
  { entry: "host-sim/src/bench.ts", out: "build/bench.mjs" },
];

function newest(dir, exts) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p, exts));
    else if (exts.some((x) => e.name.endsWith(x))) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

function upToDate() {
  const inputs = Math.max(newest("firmware", [".ts"]), newest("host-sim", [".ts"]), newest("boards", [".json"]),
    statSync("asconfig.json").mtimeMs, statSync("package.json").mtimeMs, statSync(fileURLToPath(import.meta.url)).mtimeMs,
    statSync(join(root, "scripts/wasm-opt.mjs")).mtimeMs);
  const outs = [...asTargets.map((t) => t.out), ...nodeBundles.map((b) => b.out)];
  return outs.every((o) => existsSync(o) && statSync(o).mtimeMs >= inputs);
}

function asc(t) {
  const ascBin = join(root, "node_modules/assemblyscript/bin/asc.js");
  execFileSync(process.execPath, [ascBin, t.entry, "--config", join(root, "asconfig.json"), "--target", t.target], { stdio: "inherit" });
  // asc passes silently on a misspelled target: check the output exists and is fresh.
  if (!existsSync(t.out) || statSync(t.out).mtimeMs < Date.now() - 120000) throw new Error(`asc did not write ${t.out}`);
  if (t.shrink) shrink(t.out, t.shrink);
}

async function bundle() {
  const esbuild = require("esbuild");
  for (const b of nodeBundles) {
    if (!existsSync(b.entry)) continue;
    await esbuild.build({
      entryPoints: [b.entry], outfile: b.out, bundle: true, platform: "node", format: "esm", target: "node20",
      sourcemap: "linked", packages: "external", logLevel: "warning", ...(b.banner ? { banner: { js: b.banner } } : {}),
    });
  }
}

/** Boots the release firmware on a virtual clock and reads its own memory report. */
async function measure() {
  const size = statSync("build/firmware.wasm").size;
  const asconfig = JSON.parse(readFileSync("asconfig.json", "utf8"));
  const cap = asconfig.targets.release.maximumMemory;
  let line = `firmware.wasm: ${size} bytes (${(100 * size / WASM_BUDGET).toFixed(1)}% of the ${WASM_BUDGET}-byte budget)`;
  if (existsSync("build/host-sim.mjs")) {
    const sim = await import(pathToFileURL(join(root, "build/host-sim.mjs")).href + `?t=${Date.now()}`);
    const clock = new sim.VirtualClock();
    const dev = new sim.Device({ wasm: "build/firmware.wasm", clock, stopOnTrap: true }).start();
    clock.advance(2000);
    const m = dev.events.last("memory");
    dev.stop();
    if (m) line += `; linear memory: ${m.pages} of ${cap} pages, static data ${m.data} B, heap ${m.heap} B (top ${m.top} of ${cap * 65536})`;
    if (dev.traps.length) throw new Error(`firmware trapped at boot: ${dev.traps[0]}`);
  }
  console.log(line);
  if (size > WASM_BUDGET) {
    // INTERCOM_BUDGET_WARN=1 lets a work-in-progress branch build over budget; CI never sets it.
    if (process.env.INTERCOM_BUDGET_WARN) console.warn(`warning: firmware.wasm is over its ${WASM_BUDGET}-byte budget`);
    else throw new Error(`firmware.wasm is over its ${WASM_BUDGET}-byte budget`);
  }
}

async function main() {
  mkdirSync("build", { recursive: true });
  if (process.argv.includes("--if-needed") && upToDate()) return;
  try {
    execFileSync(process.execPath, ["hal/gen.mjs", "--check"], { stdio: ["ignore", "ignore", "inherit"] });
  } catch {
    console.error("warning: generated HAL files are stale; run `npm run hal`");
  }
  for (const t of asTargets) if (existsSync(t.entry)) asc(t);
  await bundle();
  await measure();
}

main().catch((e) => { console.error(`build failed: ${e.message}`); process.exit(1); });
