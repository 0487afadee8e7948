// RTCP: exact bytes of SR/RR/SDES/BYE as built, parsing a compound written byte by byte
// (report block about us, LSR/DLSR round trip; SDES and BYE skipped), the A.2 checks that make
// a malformed compound be ignored, bounded walks over garbage, and SR/RR choice and round-trip
// time between two streams.
import {
  RtcpInfo, writeReport, writeBlock, writeSdes, writeBye, parseCompound, ntpMiddle,
} from "../../firmware/media/rtcp";
import { MediaStream, LAW_ULAW, DIR_SENDRECV, DIR_RECVONLY, TX_MAX } from "../../firmware/media/stream";

const buf = memory.data(256);

function bytesAre(p: usize, want: StaticArray<u8>): void {
  for (let i = 0; i < want.length; i++) {
    if (load<u8>(p + <usize>i) != want[i]) log<string>("byte " + i.toString() + " differs");
    expect(load<u8>(p + <usize>i)).toBe(want[i]);
  }
}

describe("RTCP build", () => {
  it("writes an SR with one report block", () => {
    const n = writeReport(buf, 0x11223344, true, 12345, 0x01020304, 100, 16000, 1);
    expect(n).toBe(28);
    expect(n + writeBlock(buf + <usize>n, 0x55667788, 51, 2, 0x00010005, 37, 0xaabbccdd, 0x00018000)).toBe(52);
    const want: StaticArray<u8> = [
      0x81, 0xc8, 0x00, 0x0c, 0x11, 0x22, 0x33, 0x44,
      0x00, 0x00, 0x00, 0x0c, 0x58, 0x51, 0xeb, 0x85, // NTP 12.345 s
      0x01, 0x02, 0x03, 0x04, 0x00, 0x00, 0x00, 0x64, 0x00, 0x00, 0x3e, 0x80,
      0x55, 0x66, 0x77, 0x88, 0x33, 0x00, 0x00, 0x02, 0x00, 0x01, 0x00, 0x05,
      0x00, 0x00, 0x00, 0x25, 0xaa, 0xbb, 0xcc, 0xdd, 0x00, 0x01, 0x80, 0x00,
    ];
    bytesAre(buf, want);
  });

  it("writes an RR, clamps the cumulative loss to 24 signed bits", () => {
    expect(writeReport(buf, 0xcafebabe, false, 0, 0, 0, 0, 0)).toBe(8);
    const rr: StaticArray<u8> = [0x80, 0xc9, 0x00, 0x01, 0xca, 0xfe, 0xba, 0xbe];
    bytesAre(buf, rr);
    expect(writeReport(buf, 1, false, 0, 0, 0, 0, 1) + writeBlock(buf + 8, 0, 0, -5, 0, 0, 0, 0)).toBe(32);
    expect(load<u8>(buf, 0)).toBe(0x81);
    expect(load<u8>(buf, 1)).toBe(201);
    expect(load<u8>(buf, 3)).toBe(7);
    expect(load<u32>(buf, 12)).toBe(bswap<u32>(0x00fffffb));
    writeBlock(buf + 8, 0, 255, 0x1000000, 0, 0, 0, 0);
    expect(load<u32>(buf, 12)).toBe(bswap<u32>(0xff7fffff));
    writeBlock(buf + 8, 0, 0, -0x1000000, 0, 0, 0, 0);
    expect(load<u32>(buf, 12)).toBe(bswap<u32>(0x00800000));
  });

  it("writes SDES CNAME padded to 32 bits, and BYE", () => {
    memory.fill(buf, 0xee, 32);
    const c = String.UTF8.encode("abc");
    const n = writeSdes(buf, 0x01020304, changetype<usize>(c), 3);
    expect(n).toBe(16);
    expect(n + writeBye(buf + <usize>n, 0x01020304)).toBe(24);
    const want: StaticArray<u8> = [
      0x81, 0xca, 0x00, 0x03, 0x01, 0x02, 0x03, 0x04, 0x01, 0x03, 0x61, 0x62, 0x63, 0x00, 0x00, 0x00,
      0x81, 0xcb, 0x00, 0x01, 0x01, 0x02, 0x03, 0x04,
    ];
    bytesAre(buf, want);
    // "ab": ssrc, type, length, 2 bytes, end item = 9 bytes, padded to 12
    memory.fill(buf, 0xee, 32);
    const c2 = String.UTF8.encode("ab");
    expect(writeSdes(buf, 7, changetype<usize>(c2), 2)).toBe(16);
    expect(load<u8>(buf, 3)).toBe(3);
    expect(load<u8>(buf, 13)).toBe(0);
    expect(load<u8>(buf, 15)).toBe(0);
  });
});

// A compound from the peer (SSRC 0x55667788) to us (0x11223344): SR with a block about us,
// SDES CNAME "peer@host", BYE.
const peerCompound: StaticArray<u8> = [
  0x81, 0xc8, 0x00, 0x0c, 0x55, 0x66, 0x77, 0x88,
  0x00, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, // NTP 256.5 s
  0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x0a, 0x00,
  0x11, 0x22, 0x33, 0x44, 0x40, 0x00, 0x00, 0x03, 0x00, 0x01, 0x00, 0x10,
  0x00, 0x00, 0x00, 0x50, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, // LSR = 1.0 s, DLSR = 0.5 s
  0x81, 0xca, 0x00, 0x04, 0x55, 0x66, 0x77, 0x88,
  0x01, 0x09, 0x70, 0x65, 0x65, 0x72, 0x40, 0x68, 0x6f, 0x73, 0x74, 0x00,  // "peer@host", end
  0x81, 0xcb, 0x00, 0x01, 0x55, 0x66, 0x77, 0x88,
];

describe("RTCP parse", () => {
  it("reads the peer's SR, the report about us and the round trip", () => {
    const info = new RtcpInfo();
    const n = peerCompound.length;
    expect(n).toBe(52 + 20 + 8);
    // our SR left at 1000 ms (LSR 1.0 s); the peer held it 500 ms; back at 1620 ms: 120 ms
    expect(ntpMiddle(1000)).toBe(0x00010000);
    expect(parseCompound(changetype<usize>(peerCompound), n, 0x11223344, 0x55667788, 1620, info)).toBe(true);
    expect(info.haveSr).toBe(true);
    expect(info.lsr).toBe(0x01008000);
    expect(info.lsrAtMs).toBe(1620);
    expect(info.haveReport).toBe(true);
    expect(info.fractionLost).toBe(64);
    expect(info.cumLost).toBe(3);
    expect(info.jitter).toBe(80);
    expect(info.rttMs).toBe(120);
    expect(info.packets).toBe(1);
  });

  it("ignores malformed compounds whole (RFC 3550 A.2)", () => {
    const info = new RtcpInfo();
    const p = memory.data(128);
    const n = peerCompound.length;
    const cases = 7;
    for (let c = 0; c < cases; c++) {
      memory.copy(p, changetype<usize>(peerCompound), n);
      let len = n;
      if (c == 0) store<u8>(p, 0x41);                // version 1
      else if (c == 1) store<u8>(p, 0x00, 55);       // SDES length one word short: lengths do not add up
      else if (c == 2) store<u8>(p, 0xa1);           // padding bit on the first of three packets
      else if (c == 3) len = n - 2;                  // not a multiple of 4
      else if (c == 4) store<u8>(p, 0xff, 3);        // length past the end
      else if (c == 5) { memory.copy(p, p + 52, 28); len = 28; } // starts with SDES, not SR/RR
      else if (c == 6) len = 4;                      // too short
      expect(parseCompound(p, len, 0x11223344, 0x55667788, 2000, info)).toBe(false);
    }
    expect(info.malformed).toBe(cases);
    expect(info.haveSr).toBe(false);
  });

  it("walks only inside the packet whatever the counts say", () => {
    const info = new RtcpInfo();
    const p = memory.data(64);
    // RR claiming 31 blocks in 8 bytes, then SDES claiming 31 chunks with an item running past its end
    const a: StaticArray<u8> = [
      0x9f, 0xc9, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01,
      0x9f, 0xca, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x01, 0xff, 0x41, 0x42,
    ];
    memory.copy(p, changetype<usize>(a), 20);
    expect(parseCompound(p, 20, 0x11223344, 0, 0, info)).toBe(true);
    expect(info.haveReport).toBe(false);
    // pseudo-random garbage: never traps, never hangs
    let seed: u32 = 99;
    let accepted = 0;
    for (let k = 0; k < 3000; k++) {
      const len = 8 + (k % 14) * 4;
      for (let i = 0; i < len; i++) { seed = seed * 1103515245 + 12345; store<u8>(p + <usize>i, <u8>(seed >>> 24)); }
      store<u8>(p, 0x80 | (load<u8>(p) & 0x3f));
      store<u8>(p, k & 1 ? 200 : 201, 1);
      if (k % 3 != 0) { store<u8>(p, 0, 2); store<u8>(p, <u8>(len / 4 - 1), 3); } // one packet: random counts inside
      if (parseCompound(p, len, 0x11223344, 0, 0, info)) accepted++;
    }
    expect(accepted).toBe(2000);       // every well-framed one, its random insides walked safely
    expect(info.malformed).toBe(1000); // random length fields never add up
  });
});

describe("RTCP between two streams", () => {
  it("sends RR before RTP, SR while sending, and measures the round trip", () => {
    const a = new MediaStream(), b = new MediaStream();
    a.start(0, LAW_ULAW, 101, DIR_SENDRECV, 0x0a000002, 4000, 0);
    b.start(0, LAW_ULAW, 101, DIR_SENDRECV, 0x0a000001, 5000, 0);
    expect(a.buildRtcp(0, false)).toBe(8 + 28); // RR without blocks + SDES with a 16-char CNAME
    expect(load<u8>(a.rtcpBuf, 1)).toBe(201);
    const mic = memory.data(320);
    memory.fill(mic, 0, 320);
    const pkt = memory.data(TX_MAX);
    // a -> b: 50 frames, 30 ms one way; b -> a: nothing yet
    for (let i = 0; i < 50; i++) {
      const n = a.sendFrame(mic, pkt, <i64>i * 20);
      b.receiveRtp(pkt, n, 0x0a000001, 5000, <i64>i * 20 + 30);
    }
    // a's SR at 1000 ms reaches b at 1030
    const srLen = a.buildRtcp(1000, false);
    expect(srLen).toBe(28 + 28); // SR without a block (a heard nothing yet) + SDES
    expect(load<u8>(a.rtcpBuf, 1)).toBe(200);
    expect(b.receiveRtcp(a.rtcpBuf, srLen, 0x0a000001, 5001, 1030)).toBe(true);
    expect(b.rtcpPort).toBe(5001);
    // b reports at 1280 (held 250 ms) with a block about a; a gets it at 1310: 60 ms round trip
    const rrLen = b.buildRtcp(1280, false);
    expect(rrLen).toBe(8 + 24 + 28);
    expect(load<u8>(b.rtcpBuf, 0)).toBe(0x81);
    expect(load<u8>(b.rtcpBuf, 1)).toBe(201);
    expect(bswap<u32>(load<u32>(b.rtcpBuf, 8))).toBe(a.ssrc);
    expect(bswap<u32>(load<u32>(b.rtcpBuf, 24))).toBe(0x00010000); // LSR: a's SR at 1.0 s
    expect(bswap<u32>(load<u32>(b.rtcpBuf, 28))).toBe(0x00004000); // DLSR: 250 ms
    expect(a.receiveRtcp(b.rtcpBuf, rrLen, 0x0a000002, 5001, 1310)).toBe(true);
    expect(a.rtcp.rttMs).toBe(60);
    expect(a.rtcp.cumLost).toBe(0);
    // a stops sending (recvonly): one more SR (it sent since the report before last), then RR
    a.update(0, LAW_ULAW, 101, DIR_RECVONLY, 0x0a000002, 4000);
    expect(a.sendFrame(mic, pkt, 1020)).toBe(0);
    a.buildRtcp(6000, false);
    expect(load<u8>(a.rtcpBuf, 1)).toBe(200);
    a.buildRtcp(11000, false);
    expect(load<u8>(a.rtcpBuf, 1)).toBe(201);
    // BYE at the end
    const byeLen = a.buildRtcp(12000, true);
    expect(load<u8>(a.rtcpBuf + <usize>(byeLen - 7))).toBe(203);
  });
});
