// CRC-32 as in IEEE 802.3 (and zlib, PNG): reflected polynomial 0xEDB88320, initial value and
// final XOR 0xFFFFFFFF; crc32("123456789") = 0xCBF43926. Bit by bit, without a table: used for
// the settings blob only (at boot and on save), where a few hundred bytes take microseconds.

/** Continues a CRC over [p, p+n): start with crc = 0 (the init/final XOR is done here). */
export function crc32(crc: u32, p: usize, n: i32): u32 {
  let c = ~crc;
  for (let i = 0; i < n; i++) {
    c ^= <u32>load<u8>(p + <usize>i);
    for (let b = 0; b < 8; b++) c = (c >>> 1) ^ (0xedb88320 & (0 - (c & 1)));
  }
  return ~c;
}
