// CRC-32 as in IEEE 802.3 (and zlib, PNG): reflected polynomial 0xEDB88320, initial value and
// final XOR 0xFFFFFFFF; crc32("123456789") = 0xCBF43926. Half-byte table (16 entries): small in
// the data segment, two lookups per byte; used for the settings blob only.

const TABLE: StaticArray<u32> = [
  0x00000000, 0x1db71064, 0x3b6e20c8, 0x26d930ac, 0x76dc4190, 0x6b6b51f4, 0x4db26158, 0x5005713c,
  0xedb88320, 0xf00f9344, 0xd6d6a3e8, 0xcb61b38c, 0x9b64c2b0, 0x86d3d2d4, 0xa00ae278, 0xbdbdf21c,
];

/** Continues a CRC over [p, p+n): start with crc = 0 (the init/final XOR is done here). */
export function crc32(crc: u32, p: usize, n: i32): u32 {
  let c = ~crc;
  for (let i = 0; i < n; i++) {
    c ^= <u32>load<u8>(p + <usize>i);
    c = (c >>> 4) ^ unchecked(TABLE[c & 15]);
    c = (c >>> 4) ^ unchecked(TABLE[c & 15]);
  }
  return ~c;
}
