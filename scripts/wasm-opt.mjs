// One more binaryen -Oz round over asc's output. asc optimises module by module as it compiles
// (with --converge); running binaryen's optimizer again on the finished module still finds
// about 0.5-0.7 KB of firmware.wasm to drop (dead arguments, merged blocks, smaller locals)
// with the same features asc targets. binaryen is the optimizer asc itself uses, at the version
// asc pins. Behaviour is unchanged: every test runs on the optimised file.
import { readFileSync, writeFileSync } from "node:fs";
import binaryen from "binaryen";

/** The WebAssembly features of the firmware (what WAMR and the ESP32 build run). */
const FEATURES = binaryen.Features.MutableGlobals | binaryen.Features.SignExt | binaryen.Features.BulkMemory |
  binaryen.Features.BulkMemoryOpt | binaryen.Features.NontrappingFPToInt;

/** Optimises the wasm at `path` in place for size (and writes its text to `watPath` if given;
 *  keepNames keeps the name section, for `npm run size`). Returns the new size. */
export function shrink(path, watPath, keepNames = false) {
  const m = binaryen.readBinary(readFileSync(path));
  try {
    m.setFeatures(FEATURES);
    binaryen.setOptimizeLevel(2);
    binaryen.setShrinkLevel(2);
    binaryen.setDebugInfo(keepNames);
    m.optimize();
    m.optimize();
    if (!m.validate()) throw new Error(`${path}: binaryen produced an invalid module`);
    const out = m.emitBinary();
    writeFileSync(path, out);
    if (watPath) writeFileSync(watPath, m.emitText());
    return out.length;
  } finally {
    m.dispose();
  }
}
