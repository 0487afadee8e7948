// SDP field scanning (RFC 4566 section 5: "<type>=<value>" lines, fields separated by a space).
// Works on offsets into one body in linear memory; results of a scan are left in module
// variables (no allocation). Lenient where it costs nothing: runs of spaces or tabs separate
// fields, a line may end in CRLF or a bare LF.

/** The token found by the last nextToken / upTo call: offset and length in the body. */
export let tokOff: i32 = 0;
export let tokLen: i32 = 0;
/** The value of the last successful parseU64. */
export let u64Value: u64 = 0;

// @ts-ignore: decorator
@inline function isSpace(c: u32): bool { return c == 32 || c == 9; }

/** Skips separators, then takes the token up to the next separator or `end`; returns the
 *  position after it. tokLen is 0 when the line has no more tokens. */
export function nextToken(base: usize, pos: i32, end: i32): i32 {
  while (pos < end && isSpace(load<u8>(base + <usize>pos))) pos++;
  const s = pos;
  while (pos < end && !isSpace(load<u8>(base + <usize>pos))) pos++;
  tokOff = s;
  tokLen = pos - s;
  return pos;
}

/** Position of byte b in [pos, end), or end. */
export function find(base: usize, pos: i32, end: i32, b: u32): i32 {
  while (pos < end && <u32>load<u8>(base + <usize>pos) != b) pos++;
  return pos;
}

/** Decimal digits only, 1..n bytes; returns the value or -1 (also when above max). */
export function parseNum(base: usize, off: i32, len: i32, max: i32): i32 {
  if (len <= 0 || len > 10) return -1;
  let v: i64 = 0;
  for (let i = 0; i < len; i++) {
    const d = <i32>load<u8>(base + <usize>(off + i)) - 48;
    if (<u32>d > 9) return -1;
    v = v * 10 + d;
  }
  return v > <i64>max ? -1 : <i32>v;
}

/** Decimal of 1..20 digits that fits in u64 (RFC 3264 5: sess-id and sess-version are 64-bit);
 *  sets u64Value and returns true. */
export function parseU64(base: usize, off: i32, len: i32): bool {
  if (len <= 0 || len > 20) return false;
  let v: u64 = 0;
  for (let i = 0; i < len; i++) {
    const d = <u64>(<i32>load<u8>(base + <usize>(off + i)) - 48);
    if (d > 9) return false;
    if (v > (0xffffffffffffffff - d) / 10) return false;
    v = v * 10 + d;
  }
  u64Value = v;
  return true;
}
