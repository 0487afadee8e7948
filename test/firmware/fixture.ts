// Test data for specs: files read by the as-pect host (test/lib/hal-fake.js, module "fixture").
// Paths are relative to the repository root, e.g. "../shared/vectors/g711/ulaw_enc.bin".

// @ts-ignore: decorator
@external("fixture", "size")
declare function fixture_size(pathPtr: usize, pathLen: i32): i32;
// @ts-ignore: decorator
@external("fixture", "load")
declare function fixture_load(pathPtr: usize, pathLen: i32, dst: usize, cap: i32): i32;

/** Size of the file in bytes, or -1 when it cannot be read. */
export function fileSize(path: string): i32 {
  const p = String.UTF8.encode(path);
  return fixture_size(changetype<usize>(p), p.byteLength);
}

/** Reads a whole file into a new buffer; fails the spec when it cannot be read. */
export function loadFile(path: string): ArrayBuffer {
  const p = String.UTF8.encode(path);
  const n = fixture_size(changetype<usize>(p), p.byteLength);
  if (n < 0) throw new Error("cannot read fixture " + path);
  const buf = new ArrayBuffer(n);
  fixture_load(changetype<usize>(p), p.byteLength, changetype<usize>(buf), n);
  return buf;
}

import { Text, textPtr, textLen } from "../../firmware/sys/text";

/** A firmware Text as an AssemblyScript string (specs only: it allocates). */
export function textString(t: Text): string {
  return String.UTF8.decodeUnsafe(textPtr(t), textLen(t));
}
