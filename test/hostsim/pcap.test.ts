// PcapWriter: the classic pcap format with LINKTYPE_RAW and synthetic IPv4/UDP headers, parsed
// back byte by byte; and a device's traffic captured through DeviceOptions.capture.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Device, LINKTYPE_RAW, PcapWriter, VirtualClock, VirtualNetwork, ip4, ipChecksum } from "../../host-sim/src/index.js";

interface Rec { sec: number; usec: number; incl: number; orig: number; pkt: Buffer }

function readPcap(path: string): { header: Buffer; recs: Rec[] } {
  const b = readFileSync(path);
  const recs: Rec[] = [];
  for (let p = 24; p < b.length;) {
    const incl = b.readUInt32LE(p + 8);
    recs.push({ sec: b.readUInt32LE(p), usec: b.readUInt32LE(p + 4), incl, orig: b.readUInt32LE(p + 12), pkt: b.subarray(p + 16, p + 16 + incl) });
    p += 16 + incl;
  }
  return { header: b.subarray(0, 24), recs };
}

test("pcap file: global header, record headers, IPv4 header with a valid checksum, UDP header, payload", () => {
  const dir = mkdtempSync(join(tmpdir(), "pcap-"));
  const path = join(dir, "a.pcap");
  const w = new PcapWriter(path, { epochMs: 1_700_000_000_000 });
  const payload = new TextEncoder().encode("INVITE sip:1002@pbx SIP/2.0\r\n\r\n");
  w.write({ dir: "out", t: 1234, srcIp: ip4("10.0.0.2"), srcPort: 5060, dstIp: ip4("10.0.0.1"), dstPort: 5070, data: payload });
  w.write({ dir: "in", t: 2000, srcIp: ip4("10.0.0.1"), srcPort: 5070, dstIp: ip4("10.0.0.2"), dstPort: 5060, data: new Uint8Array(0) });
  w.close();
  const { header, recs } = readPcap(path);
  assert.equal(header.toString("hex"), "d4c3b2a1" + "0200" + "0400" + "00000000" + "00000000" + "ffff0000" + "65000000");
  assert.equal(LINKTYPE_RAW, 0x65);
  assert.equal(recs.length, 2);
  const r = recs[0]!;
  assert.deepEqual([r.sec, r.usec, r.incl, r.orig], [1_700_000_001, 234_000, 28 + payload.length, 28 + payload.length]);
  const p = r.pkt;
  assert.equal(p[0], 0x45);
  assert.equal(p.readUInt16BE(2), 28 + payload.length);
  assert.equal(p[9], 17);
  assert.equal(p.readUInt32BE(12), ip4("10.0.0.2"));
  assert.equal(p.readUInt32BE(16), ip4("10.0.0.1"));
  assert.equal(ipChecksum(p.subarray(0, 20)), 0, "a header with its checksum sums to 0xffff");
  assert.deepEqual([p.readUInt16BE(20), p.readUInt16BE(22), p.readUInt16BE(24), p.readUInt16BE(26)], [5060, 5070, 8 + payload.length, 0]);
  assert.deepEqual(new Uint8Array(p.subarray(28)), payload);
  assert.deepEqual([recs[1]!.sec, recs[1]!.usec, recs[1]!.incl], [1_700_000_002, 0, 28]);
  assert.notEqual(recs[1]!.pkt.readUInt16BE(4), r.pkt.readUInt16BE(4), "IP ids differ");
});

test("a device's capture holds what it sent and received, with clock timestamps", () => {
  const dir = mkdtempSync(join(tmpdir(), "pcap-"));
  const path = join(dir, "dev.pcap");
  const clock = new VirtualClock();
  const net = new VirtualNetwork(clock, { link: { delayMs: 10 } });
  const port = net.attach("10.0.0.2");
  const dev = new Device({ wasm: "build/firmware.wasm", clock, net: port, capture: new PcapWriter(path, { epochMs: 0 }) });
  const peer = net.peer("10.0.0.1", 5060);
  peer.onReceive = (d) => peer.send(d.srcIp, d.srcPort, "pong");
  const s = dev.halHost.net_udp_open(5060);
  clock.advance(3);
  dev.halHost.net_udp_send(s, ip4("10.0.0.1"), 5060, new TextEncoder().encode("ping"));
  clock.advance(50);
  dev.stop();
  const { recs } = readPcap(path);
  assert.deepEqual(recs.map((r) => [r.usec / 1000, r.pkt.readUInt32BE(12), r.pkt.subarray(28).toString()]),
    [[3, ip4("10.0.0.2"), "ping"], [23, ip4("10.0.0.1"), "pong"]]);
});
