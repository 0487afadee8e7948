// DTMF: RFC 4733 telephone-event receive sequences (start, updates, the three end packets,
// a lost end, reordering, codes outside 0-15, long events), the exact packet series we send
// (alone and inside the RTP stream, interleaved with audio), and SIP INFO bodies.
import {
  digitOf, codeOf, parseDtmfRelay, parseDtmfBody, pushDigit, takeDigit, digitsQueued, digitsDropped, clearDigits,
  SRC_RFC4733, SRC_INFO,
} from "../../firmware/media/dtmf";
import { EventReceiver, EventSender } from "../../firmware/media/telephone_event";
import { MediaStream, LAW_ULAW, DIR_SENDRECV, RX_EVENT, TX_MAX } from "../../firmware/media/stream";
import { DTMF_RX_TIMEOUT_MS } from "../../firmware/config";

const ev = memory.data(8);

/** One telephone-event payload: event, E bit, volume 10, duration. */
function event(rx: EventReceiver, code: i32, end: bool, dur: i32, ts: u32, t: i64): i32 {
  store<u8>(ev, <u8>code);
  store<u8>(ev, <u8>((end ? 0x80 : 0) | 10), 1);
  store<u8>(ev, <u8>(dur >> 8), 2);
  store<u8>(ev, <u8>dur, 3);
  return rx.receive(ev, 4, ts, t);
}

function relay(s: string): i32 { const b = String.UTF8.encode(s); return parseDtmfRelay(changetype<usize>(b), b.byteLength); }
function body(s: string): i32 { const b = String.UTF8.encode(s); return parseDtmfBody(changetype<usize>(b), b.byteLength); }

describe("DTMF digits", () => {
  it("maps the RFC 4733 event codes 0-15", () => {
    expect(digitOf(0)).toBe(48);
    expect(digitOf(9)).toBe(57);
    expect(digitOf(10)).toBe(42);  // *
    expect(digitOf(11)).toBe(35);  // #
    expect(digitOf(12)).toBe(65);  // A
    expect(digitOf(15)).toBe(68);  // D
    expect(digitOf(16)).toBe(-1);
    expect(digitOf(-1)).toBe(-1);
    expect(codeOf(35)).toBe(11);
    expect(codeOf(100)).toBe(15); // 'd'
    expect(codeOf(69)).toBe(-1);  // 'E'
    expect(codeOf(32)).toBe(-1);
  });

  it("keeps received digits in order with their source", () => {
    clearDigits();
    expect(takeDigit()).toBe(-1);
    pushDigit(49, SRC_RFC4733);
    pushDigit(35, SRC_INFO);
    expect(takeDigit()).toBe((SRC_RFC4733 << 8) | 49);
    expect(takeDigit()).toBe((SRC_INFO << 8) | 35);
    expect(takeDigit()).toBe(-1);
    const dropped = digitsDropped;
    for (let i = 0; i < 20; i++) pushDigit(48 + i % 10, SRC_INFO);
    expect(digitsQueued()).toBe(16);
    expect(digitsDropped - dropped).toBe(4);
    for (let i = 0; i < 16; i++) expect(takeDigit()).toBe((SRC_INFO << 8) | (48 + i % 10)); // in order across the wrap
    expect(takeDigit()).toBe(-1);
  });
});

describe("SIP INFO bodies", () => {
  it("reads application/dtmf-relay", () => {
    expect(relay("Signal=5\r\nDuration=160\r\n")).toBe(53);
    expect(relay("Signal=5\r\nDuration=160")).toBe(53);
    expect(relay("signal= *\nduration=250\n")).toBe(42);
    expect(relay("Duration=160\r\nSignal=#\r\n")).toBe(35);
    expect(relay("SIGNAL = d\r\n")).toBe(68);
    expect(relay("Signal=11\r\nDuration=100\r\n")).toBe(35); // event code form
    expect(relay("Signal=10")).toBe(42);
    expect(relay("Signal=E\r\n")).toBe(-1);
    expect(relay("Signal=\r\n")).toBe(-1);
    expect(relay("Signal=55\r\n")).toBe(-1);
    expect(relay("Sig=5\r\n")).toBe(-1);
    expect(relay("Signalx=5\r\n")).toBe(-1);
    expect(relay("")).toBe(-1);
    expect(relay("\r\n\r\n")).toBe(-1);
  });

  it("reads application/dtmf", () => {
    expect(body("5")).toBe(53);
    expect(body("#\r\n")).toBe(35);
    expect(body("11")).toBe(35);
    expect(body(" 7 ")).toBe(55);
    expect(body("16")).toBe(-1);
    expect(body("x")).toBe(-1);
    expect(body("123")).toBe(-1);
    expect(body("")).toBe(-1);
  });
});

describe("telephone-event receive", () => {
  it("reports one digit per key press: start, updates and three end packets", () => {
    const rx = new EventReceiver();
    const T: u32 = 0xfffffe00; // event timestamps wrap during the test
    expect(event(rx, 5, false, 160, T, 1000)).toBe(53);
    expect(rx.active).toBe(true);
    expect(event(rx, 5, false, 320, T, 1020)).toBe(-1);
    expect(event(rx, 5, false, 480, T, 1040)).toBe(-1);
    expect(event(rx, 5, true, 800, T, 1060)).toBe(-1);
    expect(rx.active).toBe(false);
    expect(event(rx, 5, true, 800, T, 1080)).toBe(-1); // retransmitted ends
    expect(event(rx, 5, true, 800, T, 1100)).toBe(-1);
    // the same key again: a new timestamp is a new press
    expect(event(rx, 5, false, 160, T + 2400, 1400)).toBe(53);
    expect(event(rx, 5, true, 640, T + 2400, 1460)).toBe(-1);
    expect(event(rx, 5, true, 640, T + 2400, 1480)).toBe(-1);
    expect(rx.events).toBe(2);
    expect(rx.ends).toBe(2);
    expect(rx.timeouts).toBe(0);
  });

  it("ends an event whose end packets were lost by the timeout", () => {
    const rx = new EventReceiver();
    expect(event(rx, 1, false, 160, 1000, 0)).toBe(49);
    expect(event(rx, 1, false, 320, 1000, 20)).toBe(-1);
    rx.poll(20 + DTMF_RX_TIMEOUT_MS - 1);
    expect(rx.active).toBe(true);
    rx.poll(20 + DTMF_RX_TIMEOUT_MS);
    expect(rx.active).toBe(false);
    expect(rx.timeouts).toBe(1);
    // a straggler of that event changes nothing
    expect(event(rx, 1, true, 800, 1000, 900)).toBe(-1);
    expect(rx.ends).toBe(0);
    // the next press, even of the same key, is reported
    expect(event(rx, 1, false, 160, 5000, 1000)).toBe(49);
    // a new press while the previous never ended: the old one counts as timed out
    expect(event(rx, 2, false, 160, 7000, 1200)).toBe(50);
    expect(rx.timeouts).toBe(2);
    expect(rx.events).toBe(3);
  });

  it("reports an event whose start was lost when its end arrives, once", () => {
    const rx = new EventReceiver();
    expect(event(rx, 11, true, 800, 3000, 0)).toBe(35);
    expect(event(rx, 11, true, 800, 3000, 20)).toBe(-1);
    expect(event(rx, 11, true, 800, 3000, 40)).toBe(-1);
    expect(rx.events).toBe(1);
  });

  it("ignores reordered packets of older events, other event codes and short payloads", () => {
    const rx = new EventReceiver();
    expect(event(rx, 3, false, 160, 8000, 0)).toBe(51);
    expect(event(rx, 2, true, 800, 7000, 10)).toBe(-1);  // an older event, late
    expect(event(rx, 16, false, 160, 9000, 20)).toBe(-1); // flash (not DTMF)
    expect(event(rx, 255, false, 160, 9000, 20)).toBe(-1);
    expect(rx.receive(ev, 3, 9000, 20)).toBe(-1);
    expect(rx.ignored).toBe(3);
    expect(rx.events).toBe(1);
    // a different event with the same timestamp is a new press (seen from some gateways)
    expect(event(rx, 4, false, 160, 8000, 40)).toBe(52);
  });

  it("treats the next segment of a long event as the same press", () => {
    const rx = new EventReceiver();
    expect(event(rx, 0, false, 0xff00, 100, 0)).toBe(48);
    expect(event(rx, 0, false, 0xffff, 100, 20)).toBe(-1);
    expect(event(rx, 0, false, 160, 100 + 0xffff, 40)).toBe(-1); // segment 2 (RFC 4733 2.5.1.3)
    expect(event(rx, 0, true, 480, 100 + 0xffff, 80)).toBe(-1);
    expect(rx.events).toBe(1);
  });
});

describe("telephone-event send", () => {
  it("writes the exact series: marker first, growing duration, three ends, one timestamp", () => {
    const tx = new EventSender();
    const p = memory.data(4);
    expect(tx.push(49)).toBe(true);
    expect(tx.push(69)).toBe(false); // 'E' is not DTMF
    // 100 ms: durations 160..800, the last three with E; volume 10
    const want: StaticArray<u8> = [
      1, 0x0a, 0x00, 0xa0,
      1, 0x0a, 0x01, 0x40,
      1, 0x0a, 0x01, 0xe0,
      1, 0x0a, 0x02, 0x80,
      1, 0x8a, 0x03, 0x20,
      1, 0x8a, 0x03, 0x20,
      1, 0x8a, 0x03, 0x20,
    ];
    for (let i = 0; i < 7; i++) {
      expect(tx.frame(5000 + <u32>(i * 160), p)).toBe(4);
      expect(tx.marker).toBe(i == 0);
      expect(tx.eventTs).toBe(5000);
      for (let j = 0; j < 4; j++) expect(load<u8>(p + <usize>j)).toBe(want[i * 4 + j]);
    }
    expect(tx.frame(5000 + 7 * 160, p)).toBe(0); // audio again
    expect(tx.resume).toBe(true);
    expect(tx.busy).toBe(false);
    expect(tx.sent).toBe(1);
  });

  it("keeps two frames of audio between queued digits, each with its own timestamp", () => {
    const tx = new EventSender();
    const p = memory.data(4);
    tx.push(49); tx.push(50);
    const kinds = new Array<i32>(); // 1 = event packet, 0 = audio
    const stamps = new Array<u32>();
    for (let i = 0; i < 20; i++) {
      const n = tx.frame(<u32>(i * 160), p);
      kinds.push(n > 0 ? 1 : 0);
      if (n > 0 && tx.marker) stamps.push(tx.eventTs);
    }
    let s = "";
    for (let i = 0; i < kinds.length; i++) s += kinds[i].toString();
    expect(s).toBe("11111110011111110000");
    expect(stamps.length).toBe(2);
    expect(stamps[0]).toBe(0);
    expect(stamps[1]).toBe(9 * 160);
  });
});

describe("DTMF in the RTP stream", () => {
  it("sends events in place of audio and resumes audio with the marker bit", () => {
    const s = new MediaStream();
    s.start(0, LAW_ULAW, 101, DIR_SENDRECV, 0x0a000002, 4000, 0);
    const mic = memory.data(320);
    memory.fill(mic, 0, 320);
    const pkt = memory.data(TX_MAX);
    expect(s.sendFrame(mic, pkt, 0)).toBe(172);
    const seq0 = (<i32>load<u8>(pkt, 2) << 8) | <i32>load<u8>(pkt, 3);
    const ts0 = bswap<u32>(load<u32>(pkt, 4));
    expect(load<u8>(pkt, 1)).toBe(0x80); // first packet: marker, PT 0
    expect(bswap<u32>(load<u32>(pkt, 8))).toBe(s.ssrc);
    expect(s.sendDigit(35)).toBe(true);
    for (let i = 1; i <= 9; i++) {
      const n = s.sendFrame(mic, pkt, <i64>i * 20);
      const seq = (<i32>load<u8>(pkt, 2) << 8) | <i32>load<u8>(pkt, 3);
      expect(seq).toBe((seq0 + i) & 0xffff);
      if (i <= 7) {
        expect(n).toBe(16);
        expect(load<u8>(pkt, 1)).toBe(i == 1 ? 0x80 | 101 : 101);
        expect(bswap<u32>(load<u32>(pkt, 4))).toBe(ts0 + 160); // the event's start
        expect(load<u8>(pkt, 12)).toBe(11);
        expect(load<u8>(pkt, 13)).toBe(i >= 5 ? 0x8a : 0x0a);
        const dur = (<i32>load<u8>(pkt, 14) << 8) | <i32>load<u8>(pkt, 15);
        expect(dur).toBe(i < 5 ? i * 160 : 800);
      } else {
        expect(n).toBe(172);
        expect(load<u8>(pkt, 1)).toBe(i == 8 ? 0x80 : 0x00); // audio resumes with the marker
        expect(bswap<u32>(load<u32>(pkt, 4))).toBe(ts0 + <u32>(i * 160));
      }
    }
    expect(s.sentPackets).toBe(10);
    expect(s.sentOctets).toBe(3 * 160 + 7 * 4);
  });

  it("receives events from the peer into the digit queue", () => {
    clearDigits();
    const s = new MediaStream();
    s.start(0, LAW_ULAW, 101, DIR_SENDRECV, 0x0a000002, 4000, 0);
    const p = memory.data(16);
    const digits: StaticArray<i32> = [5, 5, 5, 5, 9, 9];
    const ends: StaticArray<bool> = [false, false, true, true, false, true];
    const stamps: StaticArray<u32> = [8000, 8000, 8000, 8000, 9600, 9600];
    // the source passes probation (RFC 3550 A.1) on two audio packets first
    const pcmu = memory.data(172);
    for (let i = 0; i < 2; i++) {
      store<u8>(pcmu, 0x80); store<u8>(pcmu, 0, 1); store<u8>(pcmu, 0, 2); store<u8>(pcmu, <u8>i, 3);
      store<u32>(pcmu, bswap<u32>(7840 + <u32>(i * 80)), 4); store<u32>(pcmu, bswap<u32>(0x55), 8);
      memory.fill(pcmu + 12, 0xff, 160);
      s.receiveRtp(pcmu, 172, 0x0a000002, 4000, <i64>i * 20);
    }
    for (let i = 0; i < 6; i++) {
      store<u8>(p, 0x80); store<u8>(p, <u8>(101 | (i == 0 || i == 4 ? 0x80 : 0)), 1);
      store<u8>(p, 0, 2); store<u8>(p, <u8>(i + 2), 3);
      store<u32>(p, bswap<u32>(stamps[i]), 4);
      store<u32>(p, bswap<u32>(0x55), 8);
      store<u8>(p, <u8>digits[i], 12);
      store<u8>(p, <u8>((ends[i] ? 0x80 : 0) | 10), 13);
      store<u8>(p, 0, 14); store<u8>(p, 160, 15);
      expect(s.receiveRtp(p, 16, 0x0a000002, 4000, 40 + <i64>i * 20)).toBe(RX_EVENT);
    }
    expect(takeDigit()).toBe((SRC_RFC4733 << 8) | 53);
    expect(takeDigit()).toBe((SRC_RFC4733 << 8) | 57);
    expect(takeDigit()).toBe(-1);
  });
});
