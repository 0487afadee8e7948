// One call's media end to end without sockets: two MediaStreams talking through a simulated
// network with 10 % loss, 0-40 ms delay (so packets reorder), for 30 s of virtual time: audio
// keeps flowing, the jitter buffer adapts, concealment fills the gaps, RTCP measures the round
// trip. Then the stream's rules: a new peer SSRC, symmetric RTP latching, directions, payload
// types; and the HAL session's behaviour without network or audio.
import { MediaStream, LAW_ULAW, LAW_ALAW, DIR_SENDRECV, DIR_RECVONLY, DIR_INACTIVE, RX_AUDIO, RX_PROBATION, RX_FOREIGN, RX_IGNORED, RX_INVALID, PT_CN, TX_MAX } from "../../firmware/media/stream";
import * as session from "../../firmware/media/session";
import { TONE_CONFIRM } from "../../firmware/media/tone";
import { SRC_INFO } from "../../firmware/media/dtmf";
import * as hal from "../../firmware/hal";
import { ulawDecode } from "../../firmware/media/g711";

const IP_A: u32 = 0x0a000001, IP_B: u32 = 0x0a000002;
const PORT_A = 16000, PORT_B = 20000;

let seed: u32 = 2024;
function rnd(n: u32): u32 { seed = seed * 1103515245 + 12345; return (seed >>> 8) % n; }

/** A one-way network: fixed slots of packets waiting for their delivery time. */
class Link {
  static readonly SLOTS: i32 = 32;
  data: usize = heap.alloc(<usize>(Link.SLOTS * 200));
  len: StaticArray<i32> = new StaticArray<i32>(Link.SLOTS);
  due: StaticArray<i64> = new StaticArray<i64>(Link.SLOTS);
  sent: i32 = 0;
  dropped: i32 = 0;
  constructor(public lossPct: u32, public maxDelay: u32) {}
  send(p: usize, n: i32, now: i64): void {
    if (n <= 0) return;
    this.sent++;
    if (rnd(100) < this.lossPct) { this.dropped++; return; }
    for (let i = 0; i < Link.SLOTS; i++) {
      if (this.len[i] == 0) {
        memory.copy(this.data + <usize>(i * 200), p, <usize>n);
        this.len[i] = n;
        this.due[i] = now + <i64>rnd(this.maxDelay + 1);
        return;
      }
    }
    this.dropped++; // queue full
  }
  deliver(now: i64, to: MediaStream, fromIp: u32, fromPort: i32, rtcp: bool): void {
    for (let i = 0; i < Link.SLOTS; i++) {
      if (this.len[i] > 0 && this.due[i] <= now) {
        const p = this.data + <usize>(i * 200);
        if (rtcp) to.receiveRtcp(p, this.len[i], fromIp, fromPort, now);
        else to.receiveRtp(p, this.len[i], fromIp, fromPort, now);
        this.len[i] = 0;
      }
    }
  }
}

const micA = memory.data(320), micB = memory.data(320);
const outA = memory.data(320), outB = memory.data(320);
const pkt = memory.data(TX_MAX);
const tail = memory.data(2 * 8000 * 2); // A's last 2 s of speaker output

function speechFrame(p: usize, frame: i32): void {
  for (let i = 0; i < 160; i++) {
    const n = <f64>(frame * 160 + i);
    let v = 0.0;
    for (let h = 1; h <= 8; h++) v += Math.sin(2.0 * Math.PI * 140.0 * <f64>h * n / 8000.0 + <f64>h) / <f64>h;
    const env = 0.55 + 0.45 * Math.sin(2.0 * Math.PI * 3.0 * n / 8000.0);
    store<i16>(p + (<usize>i << 1), <i16>(6000.0 * env * v));
  }
}

function sineFrame(p: usize, frame: i32): void {
  for (let i = 0; i < 160; i++) {
    const n = <f64>(frame * 160 + i);
    store<i16>(p + (<usize>i << 1), <i16>(8000.0 * Math.sin(2.0 * Math.PI * 440.0 * n / 8000.0)));
  }
}

function peak(p: usize): i32 {
  let m = 0;
  for (let i = 0; i < 160; i++) { const v = abs<i32>(<i32>load<i16>(p + (<usize>i << 1))); if (v > m) m = v; }
  return m;
}

describe("two streams over a bad network", () => {
  it("keeps audio flowing with 10 % loss, 40 ms jitter and reordering", () => {
    const a = new MediaStream(), b = new MediaStream();
    a.start(0, LAW_ULAW, 101, DIR_SENDRECV, IP_B, PORT_B, 0);
    b.start(0, LAW_ULAW, 101, DIR_SENDRECV, IP_A, PORT_A, 0);
    const ab = new Link(10, 40), ba = new Link(10, 40);
    const ab2 = new Link(0, 40), ba2 = new Link(0, 40); // RTCP, delayed but not lost
    const FRAMES = 1500; // 30 s
    let audible = 0, counted = 0, maxTarget = 0;
    let rtcpA: i64 = 2500, rtcpB: i64 = 3700;
    for (let t: i64 = 0; t < <i64>FRAMES * 20; t++) {
      ab.deliver(t, b, IP_A, PORT_A, false);
      ba.deliver(t, a, IP_B, PORT_B, false);
      ab2.deliver(t, b, IP_A, PORT_A + 1, true);
      ba2.deliver(t, a, IP_B, PORT_B + 1, true);
      if (t % 20 == 0) {
        const f = <i32>(t / 20);
        speechFrame(micA, f);
        sineFrame(micB, f);
        ab.send(pkt, a.sendFrame(micA, pkt, t), t);
        ba.send(pkt, b.sendFrame(micB, pkt, t), t);
        a.playFrame(outA, t);
        b.playFrame(outB, t);
        if (f >= 100) { counted++; if (peak(outB) > 1000) audible++; }
        if (f >= FRAMES - 100) memory.copy(tail + <usize>((f - (FRAMES - 100)) * 320), outA, 320);
        if (b.jb.targetMs() > maxTarget) maxTarget = b.jb.targetMs();
      }
      if (t == rtcpA) { ab2.send(a.rtcpBuf, a.buildRtcp(t, false), t); rtcpA += 5000; }
      if (t == rtcpB) { ba2.send(b.rtcpBuf, b.buildRtcp(t, false), t); rtcpB += 5000; }
    }
    ab.deliver(<i64>FRAMES * 20 + 40, b, IP_A, PORT_A, false); // what is still in flight
    // what got through, as the receivers count it (RFC 3550 A.3)
    expect(ab.sent).toBe(FRAMES);
    expect(b.rxPackets + <u32>ab.dropped).toBe(<u32>FRAMES - 1); // the first packet was the probation one
    expect(b.lost).toBeGreaterThanOrEqual(ab.dropped - 2);
    expect(b.lost).toBeLessThanOrEqual(ab.dropped);
    expect(ab.dropped).toBeGreaterThan(100);
    expect(ab.dropped).toBeLessThan(200);
    // the buffer adapted to the 40 ms spread and did not give up packets for it
    expect(maxTarget).toBeGreaterThanOrEqual(40);
    expect(b.jb.targetMs()).toBeGreaterThanOrEqual(40);
    expect(b.jb.delayMs()).toBeGreaterThanOrEqual(40);
    expect(b.jb.late).toBeLessThanOrEqual(15);
    expect(b.jitterMs).toBeGreaterThan(5); // A.8 estimate of a 0..40 ms spread: about 13 ms
    expect(b.jitterMs).toBeLessThan(25);
    // concealment filled every gap: audio in at least 97 % of the frames after the first 2 s
    expect(b.concealedFrames).toBeGreaterThanOrEqual(ab.dropped - 20);
    expect(audible * 100).toBeGreaterThanOrEqual(counted * 97);
    // the tone B sent is what A plays: 440 Hz over the last 2 s (rising zero crossings)
    let crossings = 0;
    for (let n = 1; n < 16000; n++) {
      if (load<i16>(tail + (<usize>(n - 1) << 1)) < 0 && load<i16>(tail + (<usize>n << 1)) >= 0) crossings++;
    }
    expect(crossings).toBeGreaterThanOrEqual(870);
    expect(crossings).toBeLessThanOrEqual(890);
    // RTCP both ways: each saw the other's reports, round trip 0..80 ms
    expect(a.rtcp.haveReport).toBe(true);
    expect(b.rtcp.haveReport).toBe(true);
    expect(a.rtcp.rttMs).toBeGreaterThanOrEqual(0);
    expect(a.rtcp.rttMs).toBeLessThanOrEqual(80);
    expect(a.rtcp.cumLost).toBeGreaterThan(50); // b's report of what it lost from a
  });
});

/** An RTP packet from the peer: PCMU unless pt given, 160 bytes of payload filled with fill. */
function peerPacket(p: usize, ssrc: u32, seq: i32, ts: u32, fill: u8, pt: i32 = 0, marker: bool = false): i32 {
  store<u8>(p, 0x80);
  store<u8>(p, <u8>(pt | (marker ? 0x80 : 0)), 1);
  store<u8>(p, <u8>(seq >> 8), 2);
  store<u8>(p, <u8>seq, 3);
  store<u32>(p, bswap<u32>(ts), 4);
  store<u32>(p, bswap<u32>(ssrc), 8);
  memory.fill(p + 12, fill, 160);
  return 172;
}

describe("stream rules", () => {
  it("switches to a new peer SSRC once it passes probation, and ignores a stray one", () => {
    const s = new MediaStream();
    s.start(0, LAW_ULAW, 101, DIR_SENDRECV, IP_B, PORT_B, 0);
    const p = memory.data(172);
    expect(s.receiveRtp(p, peerPacket(p, 0x1111, 100, 1000, 0x10), IP_B, PORT_B, 0)).toBe(RX_PROBATION);
    for (let k = 1; k < 30; k++) {
      expect(s.receiveRtp(p, peerPacket(p, 0x1111, 100 + k, 1000 + <u32>(k * 160), 0x10), IP_B, PORT_B, <i64>k * 20)).toBe(RX_AUDIO);
      s.playFrame(outB, <i64>k * 20);
    }
    // a single packet of another SSRC does not take over
    expect(s.receiveRtp(p, peerPacket(p, 0x3333, 7, 99999, 0x30), IP_B, PORT_B, 600)).toBe(RX_FOREIGN);
    // the PBX switches the media: new SSRC, sequence and timestamps (lost 2 of the old first)
    expect(s.receiveRtp(p, peerPacket(p, 0x2222, 5000, 777777, 0x20), IP_B, PORT_B, 600)).toBe(RX_FOREIGN);
    expect(s.src.ssrc).toBe(0x1111);
    expect(s.receiveRtp(p, peerPacket(p, 0x2222, 5001, 777777 + 160, 0x20), IP_B, PORT_B, 620)).toBe(RX_AUDIO);
    expect(s.src.ssrc).toBe(0x2222);
    expect(s.ssrcChanges).toBe(1);
    // the old source's late packets are now foreign
    expect(s.receiveRtp(p, peerPacket(p, 0x1111, 130, 1000 + 30 * 160, 0x10), IP_B, PORT_B, 625)).toBe(RX_FOREIGN);
    let fromNew = 0;
    for (let k = 2; k < 30; k++) {
      s.receiveRtp(p, peerPacket(p, 0x2222, 5000 + k, 777777 + <u32>(k * 160), 0x20), IP_B, PORT_B, 600 + <i64>k * 20);
      s.playFrame(outB, 600 + <i64>k * 20);
      if (load<i16>(outB, 100) == ulawDecode(0x20)) fromNew++;
    }
    expect(fromNew).toBeGreaterThan(20);
    expect(s.lost).toBe(0);
    expect(s.rxPackets).toBe(29 + 29);
  });

  it("answers where the peer's valid packets come from (symmetric RTP)", () => {
    const s = new MediaStream();
    s.start(0, LAW_ULAW, 101, DIR_SENDRECV, IP_B, PORT_B, 0);
    expect(s.sendIp).toBe(IP_B);
    expect(s.rtcpPort).toBe(PORT_B + 1);
    const p = memory.data(172);
    const NAT: u32 = 0xc6336401; // 198.51.100.1
    // the first (probation) packet from the NAT address changes nothing
    s.receiveRtp(p, peerPacket(p, 0x77, 1, 0, 0x10), NAT, 31000, 0);
    expect(s.sendIp).toBe(IP_B);
    // a broken packet from elsewhere changes nothing
    store<u8>(p, 0x40);
    expect(s.receiveRtp(p, 172, 0x01020304, 9, 10)).toBe(RX_INVALID);
    expect(s.sendIp).toBe(IP_B);
    // the next valid one does
    s.receiveRtp(p, peerPacket(p, 0x77, 2, 160, 0x10), NAT, 31000, 20);
    expect(s.sendIp).toBe(NAT);
    expect(s.sendPort).toBe(31000);
    expect(s.rtcpIp).toBe(NAT);
    expect(s.rtcpPort).toBe(31001);
    expect(s.latches).toBe(1);
    // RTCP of another SSRC is read but does not move our RTCP
    const other: StaticArray<u8> = [0x80, 0xc9, 0x00, 0x01, 0x00, 0x00, 0x00, 0x99];
    expect(s.receiveRtcp(changetype<usize>(other), 8, 0x01020304, 9, 25)).toBe(true);
    expect(s.rtcpPort).toBe(31001);
    // the peer's RTCP from its own address latches RTCP separately
    const rr: StaticArray<u8> = [0x80, 0xc9, 0x00, 0x01, 0x00, 0x00, 0x00, 0x77];
    expect(s.receiveRtcp(changetype<usize>(rr), 8, NAT, 45000, 30)).toBe(true);
    expect(s.rtcpPort).toBe(45000);
    s.receiveRtp(p, peerPacket(p, 0x77, 3, 320, 0x10), NAT, 31002, 40);
    expect(s.sendPort).toBe(31002);
    expect(s.rtcpPort).toBe(45000);
    // a re-INVITE with a new address starts over
    s.update(0, LAW_ULAW, 101, DIR_SENDRECV, 0x0a000009, 6000);
    expect(s.sendIp).toBe(0x0a000009);
    expect(s.rtcpPort).toBe(6001);
  });

  it("respects the direction and keeps the timestamp running on hold", () => {
    const s = new MediaStream();
    s.start(0, LAW_ULAW, 101, DIR_SENDRECV, IP_B, PORT_B, 0);
    memory.fill(micA, 0, 320);
    expect(s.sendFrame(micA, pkt, 0)).toBe(172);
    const ts0 = bswap<u32>(load<u32>(pkt, 4));
    s.update(0, LAW_ULAW, 101, DIR_RECVONLY, IP_B, PORT_B); // we are put on hold
    for (let i = 1; i <= 10; i++) expect(s.sendFrame(micA, pkt, <i64>i * 20)).toBe(0);
    expect(s.sendDigit(49)).toBe(false);
    s.update(0, LAW_ULAW, 101, DIR_SENDRECV, IP_B, PORT_B); // resumed
    expect(s.sendFrame(micA, pkt, 220)).toBe(172);
    expect(bswap<u32>(load<u32>(pkt, 4))).toBe(ts0 + 11 * 160);
    expect(load<u8>(pkt, 1)).toBe(0x80); // marker: a new talkspurt
    // inactive: packets counted but not played
    s.update(0, LAW_ULAW, 101, DIR_INACTIVE, IP_B, PORT_B);
    const p = memory.data(172);
    s.receiveRtp(p, peerPacket(p, 0x99, 1, 0, 0x10), IP_B, PORT_B, 240);
    expect(s.receiveRtp(p, peerPacket(p, 0x99, 2, 160, 0x10), IP_B, PORT_B, 260)).toBe(RX_IGNORED);
    s.playFrame(outB, 300);
    expect(peak(outB)).toBe(0);
    expect(s.rxPackets).toBe(1);
  });

  it("takes only the negotiated payload types; comfort noise keeps the sequence", () => {
    const s = new MediaStream();
    s.start(8, LAW_ALAW, 101, DIR_SENDRECV, IP_B, PORT_B, 0);
    const p = memory.data(172);
    expect(s.receiveRtp(p, peerPacket(p, 0x5, 1, 0, 0xd5, 0), IP_B, PORT_B, 0)).toBe(RX_IGNORED); // PCMU: not ours
    s.receiveRtp(p, peerPacket(p, 0x5, 1, 0, 0xd5, 8), IP_B, PORT_B, 0);
    expect(s.receiveRtp(p, peerPacket(p, 0x5, 2, 160, 0xd5, 8), IP_B, PORT_B, 20)).toBe(RX_AUDIO);
    expect(s.receiveRtp(p, peerPacket(p, 0x5, 3, 320, 0, PT_CN), IP_B, PORT_B, 40)).toBe(RX_IGNORED);
    expect(s.receiveRtp(p, peerPacket(p, 0x5, 4, 2000, 0xd5, 8, true), IP_B, PORT_B, 240)).toBe(RX_AUDIO);
    expect(s.lost).toBe(0);
    expect(s.rxPackets).toBe(3);
  });
});

describe("the bench path", () => {
  it("plays every frame of a clean loopback after the pre-roll (what bench_media measures)", () => {
    const s = new MediaStream();
    s.start(0, LAW_ULAW, 101, DIR_SENDRECV, IP_B, PORT_B, 0);
    let audible = 0;
    for (let f = 0; f < 500; f++) {
      sineFrame(micA, f);
      const n = s.sendFrame(micA, pkt, <i64>f * 20);
      s.receiveRtp(pkt, n, IP_B, PORT_B, <i64>f * 20);
      s.playFrame(outA, <i64>f * 20);
      if (peak(outA) > 7000) audible++;
    }
    expect(s.concealedFrames).toBe(0);
    expect(s.jb.lost + s.jb.late + s.jb.underrun).toBe(0);
    expect(audible).toBeGreaterThanOrEqual(495);
    expect(s.lost).toBe(0);
  });
});

describe("session over the HAL", () => {
  it("fails cleanly without a network and plays no tone without an audio device", () => {
    expect(session.open(0)).toBe(hal.E_NETDOWN);
    expect(session.open(16001)).toBe(hal.E_INVAL); // RTP needs an even port
    expect(session.start(0, IP_B, PORT_B, 0, LAW_ULAW, 101, DIR_SENDRECV)).toBe(hal.E_NETDOWN);
    expect(session.active()).toBe(false);
    expect(session.localPort()).toBe(0);
    expect(session.poll()).toBe(-1);
    expect(session.sendDigit(49)).toBe(false);
    expect(session.playTone(TONE_CONFIRM)).toBe(false);
    expect(session.poll()).toBe(-1);
    expect(session.takeDigit()).toBe(-1);
    expect(session.pushInfoDigit(35)).toBe(true);
    expect(session.takeDigit()).toBe((SRC_INFO << 8) | 35);
    session.stop();
    expect(session.active()).toBe(false);
  });
});
