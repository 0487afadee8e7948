// The HAL contract holds: generated bindings are fresh, firmware.wasm imports exactly the
// contract (module "hal" only, exact types), and the C natives table agrees with it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { readWasm } from "./lib/wasm.js";
import { HAL_IMPORT_TYPES } from "../host-sim/src/hal/contract.js";

const contract = JSON.parse(readFileSync("hal/contract.json", "utf8"));
const functions: { full: string; f: any }[] = contract.groups.flatMap((g: any) => g.functions.map((f: any) => ({ full: `${g.name}_${f.name}`, f })));

test("generated HAL files match the contract", () => {
  execFileSync(process.execPath, ["hal/gen.mjs", "--check"], { stdio: "pipe" });
});

for (const file of ["build/firmware.wasm", "build/bench.wasm"]) {
  test(`${file} imports only module hal, each with the contract's exact type`, () => {
    const info = readWasm(readFileSync(file));
    assert.ok(info.imports.length > 0);
    for (const imp of info.imports) {
      assert.equal(imp.module, "hal", `${imp.module}.${imp.name} is outside the HAL`);
      assert.equal(imp.kind, "function");
      const want = HAL_IMPORT_TYPES[imp.name];
      assert.ok(want, `hal.${imp.name} is not in the contract`);
      assert.deepEqual({ params: imp.params, results: imp.results }, want, `hal.${imp.name} has the wrong type`);
    }
  });
}

test("firmware.wasm exports init, tick and memory only, with a capped memory", () => {
  const info = readWasm(readFileSync("build/firmware.wasm"));
  assert.deepEqual(info.exports.map((e) => e.name).sort(), ["init", "memory", "tick"]);
  assert.deepEqual(info.exports.find((e) => e.name === "tick"), { name: "tick", kind: "function", params: ["i64"], results: ["i32"] });
  assert.deepEqual(info.exports.find((e) => e.name === "init"), { name: "init", kind: "function", params: [], results: [] });
  const cap = JSON.parse(readFileSync("asconfig.json", "utf8")).targets.release.maximumMemory;
  assert.equal(info.memory?.max, cap, "the memory maximum is the asconfig cap");
});

test("the C natives table has one entry per contract function with the right WAMR signature", () => {
  const c = readFileSync("hal/native/common/hal_natives.c", "utf8");
  const rows = [...c.matchAll(/\{ "([a-z0-9_]+)", \(void \*\)n_([a-z0-9_]+), "([^"]*)", NULL \}/g)];
  assert.equal(rows.length, functions.length);
  const letter: Record<string, string> = { i32: "i", u32: "i", i64: "I", f64: "F" };
  for (const { full, f } of functions) {
    const row = rows.find((r) => r[1] === full);
    assert.ok(row, `${full} missing from the natives table`);
    assert.equal(row[2], full);
    const sig = "(" + f.params.map((p: any) => (p.type === "in" || p.type === "out" ? "*~" : letter[p.type])).join("") + ")" + (f.result.type === "void" ? "" : letter[f.result.type]);
    assert.equal(row[3], sig, `${full} signature`);
    // The wrapper's C parameters line up with the signature: (ptr, len) pairs and scalars.
    const proto = new RegExp(`hal_${full}\\(([^)]*)\\)`).exec(readFileSync("hal/native/common/hal_contract.h", "utf8"));
    assert.ok(proto, `hal_${full} prototype`);
    const cParams = proto[1] === "void" ? [] : proto[1]!.split(",").map((s) => s.trim());
    const expected = f.params.flatMap((p: any) => (p.type === "in" || p.type === "out" ? 2 : 1)).reduce((a: number, b: number) => a + b, 0);
    assert.equal(cParams.length, expected, `hal_${full} C parameter count`);
  }
});

test("every HAL function documents its legal states and errors are declared", () => {
  const codes = new Set(contract.errors.map((e: any) => e.name));
  for (const { full, f } of functions) {
    assert.ok(f.doc.length > 10 && f.states.length > 0, `${full} doc`);
    for (const e of f.errors) assert.ok(codes.has(e), `${full} error ${e}`);
  }
});
