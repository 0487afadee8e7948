// IPv4 addresses as the HAL passes them: u32 in host order (127.0.0.1 = 0x7f000001).

/** Parses a dotted quad; returns null when it is not one. */
export function parseIp4(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return null;
    v = v * 256 + o;
  }
  return v >>> 0;
}

/** Parses a dotted quad; throws when it is not one. */
export function ip4(s: string | number): number {
  if (typeof s === "number") return s >>> 0;
  const v = parseIp4(s);
  if (v === null) throw new Error(`not an IPv4 address: ${s}`);
  return v;
}

export function ip4str(v: number): string {
  v >>>= 0;
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

export const LOOPBACK = 0x7f000001;

export function isLoopback(v: number): boolean { return (v >>> 24) === 127; }

/** Netmask "255.255.255.0" or prefix length to a u32 mask. */
export function maskOf(netmask: string | number): number {
  if (typeof netmask === "number") return netmask === 0 ? 0 : (0xffffffff << (32 - netmask)) >>> 0;
  return ip4(netmask);
}
