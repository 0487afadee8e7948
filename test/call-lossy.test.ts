// A call over a bad link, on the virtual clock: 10% loss, 20 ms delay and 40 ms of jitter (which
// reorders packets) both ways between the unit and the phone. SIP gets through by
// retransmission; audio keeps flowing both ways; the unit's jitter buffer grows its delay and its
// concealment fills the holes so the speaker never goes silent for longer than the losses force.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rig, frequency, levelDb, join, longestSilenceMs, decodeG711, type RtpPacket } from "./lib/phone.js";

test("10% loss and 40 ms jitter both ways: the call completes, audio flows both ways, the jitter buffer adapts, concealment fills the gaps", async () => {
  const s = await rig({ script: { answerAfterMs: 1000 } });
  s.net.setPath("10.0.0.2", "10.0.0.9", { delayMs: 20, jitterMs: 40, loss: 0.1 }, true);
  // runs of consecutive RTP packets lost on the way to the unit
  const lostRuns: number[] = [];
  let run = 0;
  s.net.onTransmit = (x) => {
    if (x.dstPort !== 40000) return;
    if (x.delays.length === 0) run++;
    else { if (run > 0) lostRuns.push(run); run = 0; }
  };
  s.dev.io.press("button1");
  assert.ok(s.clock.runUntilTrue(() => s.events("call").at(-1)?.["state"] === "active", 10000), "the call is answered despite the losses");
  const tA = s.clock.now();
  const from = tA + 2000, to = tA + 29000;
  s.clock.runUntil(from);
  const underruns = s.dev.audio.stats.underruns;
  s.clock.runUntil(to);
  assert.equal(s.dev.audio.stats.underruns, underruns, "the firmware wrote every speaker frame");
  s.clock.advance(1000);
  s.phone.bye();
  s.clock.advance(10000);
  const end = s.events("call").at(-1)!;
  assert.deepEqual([end["state"], end["reason"]], ["ended", "hung up by the other side"], "the BYE got through (retransmitted if lost)");
  assert.ok(s.net.stats.lost > 0.08 * s.net.stats.sent && s.net.stats.lost < 0.12 * s.net.stats.sent, `lost ${s.net.stats.lost} of ${s.net.stats.sent}`);

  // At the phone (no jitter buffer, no concealment): packets of the unit's 440 Hz. With 10%
  // independent loss over ~1350 packets the received share is 90% +- 0.8% (one standard
  // deviation), so 85% is more than 6 deviations below: fewer means audio stopped flowing.
  const rx = s.phone.rtpIn.audio(from, to);
  const expected = (to - from) / 20;
  assert.ok(rx.length >= 0.85 * expected, `${rx.length} of ${expected} packets at the phone`);
  const reordered = rx.filter((p, i) => i > 0 && ((p.seq - rx[i - 1]!.seq) & 0xffff) > 0x8000).length;
  assert.ok(reordered > 0.05 * expected, `the jitter reorders packets (${reordered})`);
  // every run of >= 5 consecutive packets (100 ms) carries the tone
  const byTs = [...rx].sort((a, b) => (a.ts - b.ts) | 0);
  let start = 0, checked = 0;
  for (let i = 1; i <= byTs.length; i++) {
    if (i < byTs.length && ((byTs[i]!.ts - byTs[i - 1]!.ts) >>> 0) === 160) continue;
    if (i - start >= 5) {
      const x = decodeRun(byTs.slice(start, i));
      assert.ok(Math.abs(frequency(x) - 440) < 1, `${frequency(x)} Hz in a run of ${i - start} packets`);
      assert.ok(Math.abs(levelDb(x) - -10) < 0.3, `${levelDb(x)} dB`);
      checked++;
    }
    start = i;
  }
  assert.ok(checked >= 50, `${checked} runs checked`);

  // At the unit's speaker: the phone's 1000 Hz, concealed where packets were lost or late. A lost
  // 20 ms frame is concealed by repeating the last pitch period (full level for 10 ms, then fading
  // to silence over 50 ms: G.711 Appendix I), so only frames deep inside runs of lost packets fall
  // below -16 dB (6 dB under the sent level). Runs of >= 2 losses cover about 2% of frames at 10%
  // loss: at least 97% of frames must have the tone within 6 dB.
  const frames = s.speaker.between(from, to);
  assert.equal(frames.length, expected);
  const loud = frames.filter((f) => levelDb(f) > -16).length;
  assert.ok(loud >= 0.97 * expected, `${loud} of ${expected} frames within 6 dB`);
  const spk = join(frames);
  assert.ok(Math.abs(frequency(spk) - 1000) < 1, `${frequency(spk)} Hz at the speaker`);
  // No silent hole (5 ms windows under -40 dB) longer than what the longest loss run forces: the
  // concealment lasts 60 ms, so a run of n lost frames leaves at most 20 n - 60 ms of silence.
  const longest = Math.max(...lostRuns);
  const bound = Math.max(0, 20 * longest - 60) + 5;
  const hole = longestSilenceMs(spk, -40);
  assert.ok(hole <= bound, `a ${hole} ms hole; the longest loss run was ${longest} packets`);

  // The statistics of the `ended` event. On the clean 5 ms link the buffer settles at 20-40 ms
  // (call-outgoing test); 40 ms of jitter needs a target of at least jitter + 10 ms.
  const st = end["stats"] as Record<string, number>;
  const sentByPhone = s.phone.sender!.sent.length;
  assert.ok(st["lost"]! > 0.06 * sentByPhone && st["lost"]! < 0.14 * sentByPhone, `lost ${st["lost"]} of ${sentByPhone}`);
  assert.ok(st["delay_ms"]! >= 50 && st["delay_ms"]! <= 200, `delay ${st["delay_ms"]} ms`);
  assert.ok(st["jitter_ms"]! >= 8 && st["jitter_ms"]! <= 30, `jitter ${st["jitter_ms"]} ms (A.8 of uniform 0-40 ms: about 13)`);
  assert.ok(Math.abs(st["concealed"]! - st["lost"]! - st["late"]!) <= 5, `concealed ${st["concealed"]}, lost ${st["lost"]}, late ${st["late"]}: a hole per lost or late packet`);
  assert.ok(st["rtp_received"]! + st["lost"]! >= sentByPhone - 5);
  assert.deepEqual(s.dev.traps, []);
});

/** Decodes packets that follow each other (consecutive timestamps) into one buffer. */
function decodeRun(ps: RtpPacket[]): Int16Array {
  const out = new Int16Array(ps.length * 160);
  ps.forEach((p, i) => out.set(decodeG711(p.pt, p.payload), i * 160));
  return out;
}
