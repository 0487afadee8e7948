// RTP header parsing and building (RFC 3550 5.1, A.1 header checks) on packets written byte by
// byte, and the per-source state: probation, sequence wrap, restart, loss (A.3), jitter (A.8).
import {
  parse, writeHeader, RTP_OK, RTP_SHORT, RTP_VERSION, RTP_CSRC, RTP_EXT, RTP_PADDING, RTP_RTCP_PT,
  rtpPt, rtpMarker, rtpSeq, rtpTs, rtpSsrc, rtpPayload, rtpPayloadLen,
} from "../../firmware/media/rtp";
import { RtpSource } from "../../firmware/media/source";

function bytes(a: StaticArray<u8>): usize { return changetype<usize>(a); }

describe("RTP header parse", () => {
  it("parses a plain PCMU packet", () => {
    const a: StaticArray<u8> = [
      0x80, 0x00, 0x12, 0x34, 0xde, 0xad, 0xbe, 0xef, 0x11, 0x22, 0x33, 0x44,
      0xff, 0xfe, 0x7f,
    ];
    expect(parse(bytes(a), 15)).toBe(RTP_OK);
    expect(rtpPt).toBe(0);
    expect(rtpMarker).toBe(false);
    expect(rtpSeq).toBe(0x1234);
    expect(rtpTs).toBe(0xdeadbeef);
    expect(rtpSsrc).toBe(0x11223344);
    expect(<i32>(rtpPayload - bytes(a))).toBe(12);
    expect(rtpPayloadLen).toBe(3);
    expect(load<u8>(rtpPayload, 2)).toBe(0x7f);
  });

  it("skips CSRCs and the header extension and strips padding", () => {
    // V=2 P=1 X=1 CC=2, M=1 PT=8; 2 CSRCs; extension 0xBEDE with 1 word; 3 payload bytes; 4 padding
    const a: StaticArray<u8> = [
      0xb2, 0x88, 0xff, 0xff, 0x00, 0x00, 0x00, 0xa0, 0xca, 0xfe, 0xba, 0xbe,
      0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
      0xbe, 0xde, 0x00, 0x01, 0x10, 0xaa, 0x00, 0x00,
      0x55, 0xd5, 0x54,
      0x00, 0x00, 0x00, 0x04,
    ];
    expect(parse(bytes(a), 35)).toBe(RTP_OK);
    expect(rtpPt).toBe(8);
    expect(rtpMarker).toBe(true);
    expect(rtpSeq).toBe(65535);
    expect(rtpTs).toBe(160);
    expect(rtpSsrc).toBe(0xcafebabe);
    expect(<i32>(rtpPayload - bytes(a))).toBe(28);
    expect(rtpPayloadLen).toBe(3);
    expect(load<u8>(rtpPayload)).toBe(0x55);
  });

  it("rejects what appendix A.1 rejects", () => {
    const ok: StaticArray<u8> = [0x80, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xff];
    expect(parse(bytes(ok), 11)).toBe(RTP_SHORT);
    const v1: StaticArray<u8> = [0x40, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xff];
    expect(parse(bytes(v1), 13)).toBe(RTP_VERSION);
    const csrc: StaticArray<u8> = [0x8f, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 3, 4];
    expect(parse(bytes(csrc), 16)).toBe(RTP_CSRC);
    // extension header says 4 words, only 1 follows
    const ext: StaticArray<u8> = [0x90, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xbe, 0xde, 0, 4, 1, 2, 3, 4];
    expect(parse(bytes(ext), 20)).toBe(RTP_EXT);
    const extShort: StaticArray<u8> = [0x90, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xbe, 0xde];
    expect(parse(bytes(extShort), 14)).toBe(RTP_EXT);
    const pad0: StaticArray<u8> = [0xa0, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0x00];
    expect(parse(bytes(pad0), 14)).toBe(RTP_PADDING);
    const padBig: StaticArray<u8> = [0xa0, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0x03];
    expect(parse(bytes(padBig), 14)).toBe(RTP_PADDING);
    const padAll: StaticArray<u8> = [0xa0, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0x02];
    expect(parse(bytes(padAll), 14)).toBe(RTP_OK);
    expect(rtpPayloadLen).toBe(0);
    const sr: StaticArray<u8> = [0x80, 0xc8, 0, 6, 0, 0, 0, 0, 0, 0, 0, 1];
    expect(parse(bytes(sr), 12)).toBe(RTP_RTCP_PT);
  });
});

describe("RTP header build", () => {
  it("writes the 12 header bytes", () => {
    const b = memory.data(12);
    expect(writeHeader(b, 0, true, 0xabcd, 0x01020304, 0xcafebabe)).toBe(12);
    const want: StaticArray<u8> = [0x80, 0x80, 0xab, 0xcd, 0x01, 0x02, 0x03, 0x04, 0xca, 0xfe, 0xba, 0xbe];
    for (let i = 0; i < 12; i++) expect(load<u8>(b + <usize>i)).toBe(want[i]);
    writeHeader(b, 101, false, 0x1ffff, 0, 1);
    expect(load<u8>(b, 1)).toBe(101);
    expect(load<u8>(b, 2)).toBe(0xff);
    expect(load<u8>(b, 3)).toBe(0xff);
    expect(load<u8>(b, 11)).toBe(1);
  });
});

describe("source state (RFC 3550 A.1, A.3)", () => {
  it("holds a new source on probation for one packet", () => {
    const s = new RtpSource();
    s.start(7, 100);
    expect(s.update(100)).toBe(false);
    expect(s.update(101)).toBe(true);
    expect(s.probation).toBe(0);
    expect(s.update(102)).toBe(true);
    expect(s.received).toBe(2);
    expect(s.expected()).toBe(2);
    expect(s.lost()).toBe(0);
  });

  it("restarts probation when the first packets are not in sequence", () => {
    const s = new RtpSource();
    s.start(7, 100);
    expect(s.update(100)).toBe(false);
    expect(s.update(105)).toBe(false);
    expect(s.update(106)).toBe(true);
    expect(s.baseSeq).toBe(106);
  });

  it("extends the sequence number across the 16-bit wrap", () => {
    const s = new RtpSource();
    s.start(1, 65533);
    s.update(65533);
    expect(s.update(65534)).toBe(true);
    expect(s.update(65535)).toBe(true);
    expect(s.update(0)).toBe(true);
    expect(s.update(1)).toBe(true);
    expect(s.cycles).toBe(65536);
    expect(s.extendedMax()).toBe(65537);
    expect(s.expected()).toBe(4);
    expect(s.lost()).toBe(0);
  });

  it("counts losses, reordering and duplicates as A.3 defines them", () => {
    const s = new RtpSource();
    s.start(1, 999);
    s.update(999);
    s.update(1000); // valid from 1000
    // 1001..1010 with 1003 and 1007 lost, 1005 arriving after 1006
    s.update(1001); s.update(1002); s.update(1004); s.update(1006); s.update(1005);
    s.update(1008); s.update(1009); s.update(1010);
    expect(s.expected()).toBe(11);
    expect(s.received).toBe(9);
    expect(s.lost()).toBe(2);
    expect(s.fractionLost()).toBe((2 << 8) / 11); // 46
    // next interval: 1011..1015 all there plus one duplicate: no loss, fraction 0
    for (let q = 1011; q <= 1015; q++) s.update(q);
    s.update(1015);
    expect(s.fractionLost()).toBe(0);
    expect(s.lost()).toBe(1);
  });

  it("treats a big jump as a restart only when the next packet confirms it", () => {
    const s = new RtpSource();
    s.start(1, 10);
    s.update(10); s.update(11); s.update(12);
    expect(s.update(20000)).toBe(false); // jump of 19988 > MAX_DROPOUT
    expect(s.update(13)).toBe(true);     // the old sequence goes on: the jump was a stray
    expect(s.update(30000)).toBe(false);
    expect(s.update(30001)).toBe(true);  // confirmed: resynchronised
    expect(s.baseSeq).toBe(30001);
    expect(s.received).toBe(1);
    expect(s.update(30002)).toBe(true);
    expect(s.lost()).toBe(0);
    // a packet 50 behind is reordering, not a restart
    expect(s.update(29952)).toBe(true);
  });
});

describe("interarrival jitter (RFC 3550 A.8)", () => {
  it("follows the integer form on a hand-computed series", () => {
    const s = new RtpSource();
    s.start(1, 0);
    // transit = arrival - ts: 1000, 1010, 990, 1020, 1000, 1000, 1080
    const ts: StaticArray<u32> = [0, 160, 320, 480, 640, 800, 960];
    const arr: StaticArray<u32> = [1000, 1170, 1310, 1500, 1640, 1800, 2040];
    // J += |D| - ((J + 8) >> 4): D = 10, 20, 30, 20, 0, 80
    //   J: 10, 29, 57, 73, 68, 144
    const want: StaticArray<u32> = [0, 10, 29, 57, 73, 68, 144];
    for (let i = 0; i < 7; i++) {
      s.updateJitter(arr[i], ts[i]);
      expect(s.jitter).toBe(want[i]);
    }
    expect(s.jitterTs()).toBe(9); // 144 >> 4
  });

  it("survives timestamp and arrival wrap-around", () => {
    const s = new RtpSource();
    s.start(1, 0);
    s.updateJitter(100, 0xffffff00);
    s.updateJitter(100 + 160 + 16, 0xffffff00 + 160); // transit grows by 16 across the wrap
    expect(s.jitter).toBe(16);
  });
});
