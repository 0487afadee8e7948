// Packet capture for Wireshark: the classic libpcap file format (magic a1b2c3d4, version 2.4)
// with LINKTYPE_RAW (101): each record is an IPv4 packet, here a synthetic IPv4 header (RFC 791,
// header checksum computed) and UDP header (RFC 768, checksum 0 = not computed, legal over IPv4)
// around the payload. Written synchronously so the file is complete whenever the process ends.
// Reference: https://www.tcpdump.org/manual/pcap-savefile.html, https://www.tcpdump.org/linktypes.html
import { closeSync, openSync, writeSync } from "node:fs";
import type { WireDatagram } from "./sockets.js";

export const LINKTYPE_RAW = 101;
const SNAPLEN = 65535;

export interface PcapOptions {
  /** Wall-clock time (ms since 1970) of clock time 0 (default: now). Tests pass 0. */
  epochMs?: number;
}

export class PcapWriter {
  records = 0;
  private fd: number | null;
  private ipId = 0;
  private readonly epochMs: number;

  constructor(readonly path: string, opts: PcapOptions = {}) {
    this.epochMs = opts.epochMs ?? Date.now();
    this.fd = openSync(path, "w");
    const h = Buffer.alloc(24);
    h.writeUInt32LE(0xa1b2c3d4, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeInt32LE(0, 8);            // thiszone
    h.writeUInt32LE(0, 12);          // sigfigs
    h.writeUInt32LE(SNAPLEN, 16);
    h.writeUInt32LE(LINKTYPE_RAW, 20);
    writeSync(this.fd, h);
  }

  /** Appends one datagram (t in clock ms). */
  write(d: WireDatagram): void {
    if (this.fd === null) return;
    const pkt = ipv4Udp(d, this.ipId = (this.ipId + 1) & 0xffff);
    const incl = Math.min(pkt.length, SNAPLEN);
    const ms = this.epochMs + d.t;
    const rec = Buffer.alloc(16);
    rec.writeUInt32LE(Math.floor(ms / 1000), 0);
    rec.writeUInt32LE(Math.round((ms % 1000) * 1000), 4);
    rec.writeUInt32LE(incl, 8);
    rec.writeUInt32LE(pkt.length, 12);
    writeSync(this.fd, rec);
    writeSync(this.fd, pkt, 0, incl);
    this.records++;
  }

  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }
}

/** A synthetic IPv4 + UDP packet around d's payload. */
export function ipv4Udp(d: WireDatagram, id = 0): Buffer {
  const total = 20 + 8 + d.data.length;
  const p = Buffer.alloc(total);
  p[0] = 0x45;                                   // version 4, IHL 5
  p.writeUInt16BE(Math.min(total, 0xffff), 2);
  p.writeUInt16BE(id, 4);
  p.writeUInt16BE(0x4000, 6);                    // DF
  p[8] = 64;                                     // TTL
  p[9] = 17;                                     // UDP
  p.writeUInt32BE(d.srcIp >>> 0, 12);
  p.writeUInt32BE(d.dstIp >>> 0, 16);
  p.writeUInt16BE(ipChecksum(p.subarray(0, 20)), 10);
  p.writeUInt16BE(d.srcPort, 20);
  p.writeUInt16BE(d.dstPort, 22);
  p.writeUInt16BE(Math.min(8 + d.data.length, 0xffff), 24);
  p.set(d.data, 28);
  return p;
}

/** The RFC 1071 Internet checksum of a header whose checksum field is zero. */
export function ipChecksum(b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i + 1 < b.length; i += 2) sum += (b[i]! << 8) | b[i + 1]!;
  if (b.length & 1) sum += b[b.length - 1]! << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
