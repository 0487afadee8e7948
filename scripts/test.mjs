#!/usr/bin/env node
// npm test: build, then the as-pect firmware specs, then the node:test suites (host-sim, firmware
// scenarios on the virtual clock), then the interop suites against real kamailio and baresip.
// Exits non-zero on any failure.
//
//   npm test                      everything
//   npm test -- --unit            skip the interop suites
//   npm test -- --only sip        only node:test files whose path contains "sip" (no specs)
//
// Interop suites run inside a private network namespace (unshare -n) when this runs as root, so
// their fixed ports (kamailio on 5060) cannot clash with anything else on the machine. Without
// kamailio/baresip installed they skip, unless INTERCOM_REQUIRE_PEERS=1 (CI) makes that a failure.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync, mkdirSync } from "node:fs";
import { join, dirname, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
process.chdir(root);
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const only = args.includes("--only") ? args[args.indexOf("--only") + 1] : null;
const unitOnly = args.includes("--unit");

function run(what, cmd, cmdArgs, opts = {}) {
  console.log(`\n=== ${what}`);
  const r = spawnSync(cmd, cmdArgs, { stdio: "inherit", ...opts });
  if (r.status !== 0) {
    console.error(`\n${what}: FAILED (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

function findTests(dir) {
  const out = [];
  if (!existsSync(dir)) return out;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...findTests(p));
    else if (e.name.endsWith(".test.ts")) out.push(p);
  }
  return out.sort();
}

run("build", process.execPath, ["scripts/build.mjs"]);
run("typecheck (tsc, strict)", process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"]);
run("HAL bindings up to date", process.execPath, ["hal/gen.mjs", "--check"]);
if (!only) {
  run("firmware specs (as-pect)", process.execPath,
    [join(root, "node_modules/@as-pect/cli/bin/asp.js"), "--config", "test/as-pect.config.js", "-a", join(root, "test/as-pect.asconfig.json")]);
}

// Bundle the TypeScript suites with esbuild (no extra TS runner needed).
const all = findTests("test").filter((f) => !only || f.includes(only));
const outDir = "build/test";
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const esbuild = require("esbuild");
esbuild.buildSync({
  entryPoints: all, outdir: outDir, outbase: "test", outExtension: { ".js": ".mjs" }, bundle: true,
  platform: "node", format: "esm", target: "node20", sourcemap: "inline", packages: "external", logLevel: "warning",
});
const bundled = (files) => files.map((f) => join(outDir, relative("test", f)).replace(/\.ts$/, ".mjs"));
const unit = all.filter((f) => !f.startsWith(join("test", "interop")));
const interop = all.filter((f) => f.startsWith(join("test", "interop")));

const nodeTest = ["--enable-source-maps", "--test", "--test-reporter=spec"];
if (unit.length) run(`node:test suites (${unit.length} files)`, process.execPath, [...nodeTest, ...bundled(unit)]);

if (interop.length && !unitOnly) {
  const files = bundled(interop);
  const cmd = [process.execPath, ...nodeTest, "--test-concurrency=1", ...files];
  const isRoot = process.getuid?.() === 0;
  const canUnshare = isRoot && spawnSync("unshare", ["-n", "true"]).status === 0;
  if (canUnshare) {
    const q = (s) => `'${s.replace(/'/g, "'\\''")}'`;
    run(`interop suites (${interop.length} files, private network namespace)`, "unshare",
      ["-n", "sh", "-c", `ip link set lo up && exec ${cmd.map(q).join(" ")}`]);
  } else {
    run(`interop suites (${interop.length} files, host network)`, cmd[0], cmd.slice(1));
  }
}
console.log("\nall tests passed");
