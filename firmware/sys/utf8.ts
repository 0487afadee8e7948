// UTF-16 (AssemblyScript string literals) to UTF-8 bytes, without allocating.
// Strings exist only at the edges (console texts, log and event literals); protocol data is bytes.

/** Set by utf16ToUtf8 when the string did not fit. */
export let truncated = false;

/** Encodes s into dst (at most cap bytes, never splitting a character); returns bytes written. */
export function utf16ToUtf8(s: string, dst: usize, cap: i32): i32 {
  const n = s.length;
  let o = 0;
  truncated = false;
  for (let i = 0; i < n; i++) {
    let c = <u32>s.charCodeAt(i);
    if (c < 0x80) {
      if (o >= cap) { truncated = true; break; }
      store<u8>(dst + o++, <u8>c);
      continue;
    }
    let j = i;
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) {
      const lo = <u32>s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo < 0xe000) { c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00); j++; }
    }
    const len = c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
    if (o + len > cap) { truncated = true; break; }
    if (len == 2) {
      store<u8>(dst + o, <u8>(0xc0 | (c >> 6)));
    } else if (len == 3) {
      store<u8>(dst + o, <u8>(0xe0 | (c >> 12)));
      store<u8>(dst + o + 1, <u8>(0x80 | ((c >> 6) & 0x3f)));
    } else {
      store<u8>(dst + o, <u8>(0xf0 | (c >> 18)));
      store<u8>(dst + o + 1, <u8>(0x80 | ((c >> 12) & 0x3f)));
      store<u8>(dst + o + 2, <u8>(0x80 | ((c >> 6) & 0x3f)));
    }
    store<u8>(dst + o + len - 1, <u8>(0x80 | (c & 0x3f)));
    o += len;
    i = j;
  }
  return o;
}
