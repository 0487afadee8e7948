// AssemblyScript strings (UTF-16) to bytes, for the runtime's abort messages only (sys/rt.ts):
// every other text is UTF-8 already (sys/text.ts). ASCII passes, anything else becomes '?'.

/** Writes s into dst (at most cap bytes); returns the bytes written. */
export function utf16ToUtf8(s: string, dst: usize, cap: i32): i32 {
  const n = s.length < cap ? s.length : cap;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    store<u8>(dst + <usize>i, <u8>(c < 128 ? c : 63));
  }
  return n;
}
