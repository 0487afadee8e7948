// The simulator's packet capture (--pcap: classic libpcap, LINKTYPE_RAW, IPv4/UDP; written by
// host-sim/src/periph/net/pcap.ts) read back for assertions: the SIP requests a host sent.
import { readFileSync } from "node:fs";

export interface SentRequest {
  /** Capture time, seconds since the epoch. */
  t: number;
  method: string;
  uri: string;
  /** The whole message, latin1. */
  text: string;
}

/** The SIP requests in the capture at `path` sent from the IPv4 address `src`, in capture order. */
export function sipRequestsIn(path: string, src: string): SentRequest[] {
  const b = readFileSync(path);
  const out: SentRequest[] = [];
  const le = b.readUInt32LE(0) === 0xa1b2c3d4;
  const u32 = (o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  for (let p = 24; p + 16 <= b.length;) {
    const t = u32(p) + u32(p + 4) / 1e6, incl = u32(p + 8);
    const pkt = b.subarray(p + 16, p + 16 + incl);
    p += 16 + incl;
    if (pkt.length < 28 || [...pkt.subarray(12, 16)].join(".") !== src) continue;
    const text = pkt.subarray((pkt[0]! & 15) * 4 + 8).toString("latin1");
    const m = /^([A-Z]+) (\S+) SIP\/2\.0\r\n/.exec(text);
    if (m) out.push({ t, method: m[1]!, uri: m[2]!, text });
  }
  return out;
}
