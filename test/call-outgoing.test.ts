// The call button on the virtual clock: button1 calls a scripted phone peer to peer (a SIP URI
// target, no sip.domain). The INVITE and its SDP offer byte for byte, ringback on the unit's
// speaker once the phone rings (425 Hz, 1 s on, 4 s off), the ACK, two-way audio measured at
// both ends (frequency and level), the door code by RFC 4733 and by SIP INFO, hang-ups from both
// sides, the call LED and the `ended` event with its statistics.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rig, Phone, hdr, tagOf, branchOf, frequency, levelDb, cadence, join, goertzel } from "./lib/phone.js";

/** Presses button1 and returns the time of the press. */
function press(s: Awaited<ReturnType<typeof rig>>): number {
  const t = s.clock.now();
  s.dev.io.press("button1");
  return t;
}

test("button1 calls sip:1001@10.0.0.9: INVITE with the SDP offer, 180 -> ringback, 200 -> ACK, two-way audio", async () => {
  const s = await rig({ script: { ringAfterMs: 1000, answerAfterMs: 7000 } });
  const t0 = press(s);
  s.clock.advance(10000);
  // the INVITE, 20 ms after the press (debounce), 5 ms on the wire
  const inv = s.phone.requests("INVITE");
  assert.equal(inv.length, 1, "answered with 100: no retransmission");
  const m = inv[0]!.m;
  assert.equal(inv[0]!.t - t0, 25);
  assert.equal(m.uri, "sip:1001@10.0.0.9");
  assert.match(hdr(m, "via")!, /^SIP\/2\.0\/UDP 10\.0\.0\.2:5060;rport;branch=z9hG4bK[0-9a-f]{16}$/);
  assert.match(hdr(m, "from")!, /^"Door" <sip:2000@10\.0\.0\.2>;tag=[0-9a-f]{16}$/);
  assert.equal(hdr(m, "to"), "<sip:1001@10.0.0.9>");
  assert.equal(hdr(m, "cseq"), "1 INVITE");
  assert.equal(hdr(m, "contact"), "<sip:2000@10.0.0.2:5060>");
  assert.equal(hdr(m, "max-forwards"), "70");
  assert.equal(hdr(m, "content-type"), "application/sdp");
  const sdp = m.body.split("\r\n");
  assert.match(sdp[1]!, /^o=- (\d+) \1 IN IP4 10\.0\.0\.2$/);
  assert.deepEqual([sdp[0], ...sdp.slice(2)], ["v=0", "s=-", "c=IN IP4 10.0.0.2", "t=0 0", "m=audio 40000 RTP/AVP 0 8 101",
    "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000", "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-16", "a=ptime:20", "a=sendrecv", ""]);

  // the speaker: silent until the 180 arrives, then ringback, then the phone's audio
  const t180 = s.phone.sent().find((x) => x.m.status === 180)!.t + 5;
  const t200 = s.phone.sent().find((x) => x.m.status === 200)!.t + 5;
  assert.equal(t180 - t0, 1030);
  assert.equal(t200 - t0, 7030);
  const calling = s.speaker.between(t0, t180);
  assert.ok(calling.every((f) => levelDb(f) === -Infinity), "no ringback before the phone rings");
  const ringing = s.speaker.between(t180, t200);
  const runs = cadence(ringing);
  assert.ok(runs[0]![0] === false && runs[0]![1] <= 2, `ringback starts within 40 ms of the 180: ${JSON.stringify(runs)}`);
  assert.deepEqual(runs.slice(1, 3), [[true, 50], [false, 200]], "1 s on, 4 s off");
  assert.ok(runs[3]![0] && runs[3]![1] >= 48, "on again until the answer");
  const burst = join(ringing.slice(runs[0]![1], runs[0]![1] + 50));
  assert.ok(Math.abs(frequency(burst) - 425) < 1, `ringback at ${frequency(burst)} Hz`);
  assert.ok(Math.abs(levelDb(burst.subarray(80, -80)) - -12.25) < 0.3, `ringback at ${levelDb(burst)} dB (peak 8000)`);

  // 200 -> ACK, a request of the dialog (13.2.2.4)
  const acks = s.phone.requests("ACK");
  assert.equal(acks.length, 1);
  const ack = acks[0]!.m;
  assert.equal(acks[0]!.t, t200 + 5);
  assert.equal(ack.uri, "sip:1001@10.0.0.9:5060", "to the phone's Contact");
  assert.equal(hdr(ack, "cseq"), "1 ACK");
  assert.equal(hdr(ack, "call-id"), hdr(m, "call-id"));
  assert.equal(hdr(ack, "from"), hdr(m, "from"));
  assert.equal(tagOf(hdr(ack, "to")), s.phone.dialog!.localTag);
  assert.notEqual(branchOf(ack), branchOf(m), "a new branch");

  // call events and the LED: blinking while it rings, on while active
  assert.deepEqual(s.events("call").map((e) => [e["state"], e.t - t0]), [["calling", 20], ["ringing", 1030], ["active", 7030]]);
  assert.equal(s.events("call")[2]!["peer"], "sip:1001@10.0.0.9");
  const led = s.dev.io.history.filter((h) => h.name === "led_call" && h.t < t200);
  assert.ok(led.length >= 10, "blinking while calling and ringing");
  assert.equal(s.dev.io.value("led_call"), 1);

  // two-way audio: the unit's 440 Hz microphone (-10 dB) at the phone, the phone's 1000 Hz (-10 dB) at the speaker
  const atPhone = s.phone.rtpIn.samples(t200 + 500, t200 + 2500);
  assert.equal(atPhone.length, 16000);
  assert.ok(Math.abs(frequency(atPhone) - 440) < 0.5, `${frequency(atPhone)} Hz at the phone`);
  assert.ok(Math.abs(levelDb(atPhone) - -10) < 0.2, `${levelDb(atPhone)} dB at the phone`);
  const atSpeaker = join(s.speaker.between(t200 + 500, t200 + 2500));
  assert.ok(Math.abs(frequency(atSpeaker) - 1000) < 0.5, `${frequency(atSpeaker)} Hz at the speaker`);
  assert.ok(Math.abs(levelDb(atSpeaker) - -10) < 0.2, `${levelDb(atSpeaker)} dB at the speaker`);
  // the unit's RTP: PCMU to the SDP port, one packet per 20 ms, sequence +1, timestamp +160
  const rtp = s.phone.rtpIn.audio();
  assert.ok(rtp.every((p) => p.pt === 0 && p.ssrc === rtp[0]!.ssrc && p.payload.length === 160));
  assert.ok(rtp[0]!.marker && rtp.slice(1).every((p) => !p.marker));
  for (let i = 1; i < rtp.length; i++) {
    assert.equal(rtp[i]!.seq, (rtp[i - 1]!.seq + 1) & 0xffff);
    assert.equal(rtp[i]!.ts, (rtp[i - 1]!.ts + 160) >>> 0);
  }
  assert.ok(Math.abs(rtp.length - (s.clock.now() - t200) / 20) <= 2, `${rtp.length} packets in ${s.clock.now() - t200} ms`);
  assert.deepEqual(s.dev.traps, []);
});

test("the phone hangs up: BYE answered 200, the unit goes idle, `ended` has the reason and statistics", async () => {
  const s = await rig({ script: { answerAfterMs: 500 } });
  const t0 = press(s);
  s.clock.advance(10000);
  const tAnswer = s.events("call").find((e) => e["state"] === "active")!.t;
  s.phone.bye();
  const tBye = s.clock.now();
  s.clock.advance(1000);
  const ok = s.phone.responses("BYE");
  assert.equal(ok.length, 1);
  assert.equal(ok[0]!.m.status, 200);
  assert.equal(ok[0]!.t - tBye, 10);
  assert.equal(tagOf(hdr(ok[0]!.m, "to")), tagOf(hdr(s.phone.requests("INVITE")[0]!.m, "from")), "the unit's tag");
  const end = s.events("call").at(-1)!;
  assert.equal(end["state"], "ended");
  assert.equal(end["reason"], "hung up by the other side");
  assert.equal(end["direction"], "out");
  assert.equal(end["duration_ms"], tBye + 5 - tAnswer);
  const st = end["stats"] as Record<string, number>;
  const frames = (tBye + 5 - tAnswer) / 20;
  assert.ok(Math.abs(st["rtp_sent"]! - frames) <= 1, `rtp_sent ${st["rtp_sent"]} for ${frames} frames`);
  assert.ok(Math.abs(st["rtp_received"]! - frames) <= 1, `rtp_received ${st["rtp_received"]}`);
  assert.equal(st["lost"], 0);
  assert.equal(st["late"], 0);
  assert.equal(st["concealed"], 0);
  assert.equal(st["jitter_ms"], 0, "a 5 ms link without jitter");
  assert.ok(st["delay_ms"]! >= 20 && st["delay_ms"]! <= 40, `delay ${st["delay_ms"]} ms`);
  assert.deepEqual((await s.run("status"))[2], "call: idle");
  assert.equal(s.dev.io.value("led_call"), 0);
  // media stopped: no RTP after the BYE, a last RTCP compound with BYE (PT 203)
  const lastRtp = s.phone.rtpIn.packets.at(-1)!.t;
  assert.ok(lastRtp <= tBye + 5 + 20 + 5, "RTP stops with the call");
  const lastRtcp = s.phone.rtcpIn.at(-1)!;
  assert.ok([...lastRtcp.data].some((b, i) => i % 4 === 1 && b === 203), "RTCP BYE");
  assert.ok(s.speaker.between(tBye + 200, s.clock.now()).every((f) => levelDb(f) === -Infinity), "the speaker is silent");
  assert.equal(s.phone.requests("BYE").length, 0, "the unit sends no BYE of its own");
  assert.ok(t0 > 0);
});

test("a second press during the call sends BYE; the call ends when the 200 comes", async () => {
  const s = await rig({ script: { answerAfterMs: 500 } });
  press(s);
  s.clock.advance(3000);
  const t1 = press(s);
  s.clock.advance(1000);
  const byes = s.phone.requests("BYE");
  assert.equal(byes.length, 1);
  const bye = byes[0]!.m;
  assert.equal(byes[0]!.t - t1, 25);
  assert.equal(bye.uri, "sip:1001@10.0.0.9:5060");
  assert.equal(hdr(bye, "cseq"), "2 BYE");
  const inv = s.phone.requests("INVITE")[0]!.m;
  assert.equal(hdr(bye, "from"), hdr(inv, "from"));
  assert.equal(tagOf(hdr(bye, "to")), s.phone.dialog!.localTag);
  assert.equal(hdr(bye, "call-id"), hdr(inv, "call-id"));
  const end = s.events("call").at(-1)!;
  assert.equal(end["state"], "ended");
  assert.equal(end["reason"], "ended at the door");
  assert.equal(end.t - t1, 30, "when the 200 arrives");
  assert.ok(s.speaker.between(end.t + 100, s.clock.now()).every((f) => levelDb(f) === -Infinity), "no tone after a normal end");
});

test("call.codecs pcma: PCMA only in the offer, A-law both ways", async () => {
  const s = await rig({ settings: { "call.codecs": "pcma" }, script: { answerAfterMs: 500 } });
  press(s);
  s.clock.advance(3000);
  const sdp = s.phone.requests("INVITE")[0]!.m.body;
  assert.match(sdp, /\r\nm=audio 40000 RTP\/AVP 8 101\r\na=rtpmap:8 PCMA\/8000\r\na=rtpmap:101/);
  assert.equal(s.phone.media!.pt, 8);
  const t = s.events("call").at(-1)!.t;
  assert.ok(s.phone.rtpIn.audio().every((p) => p.pt === 8));
  const atPhone = s.phone.rtpIn.samples(t + 500, t + 2500);
  assert.ok(Math.abs(frequency(atPhone) - 440) < 0.5 && Math.abs(levelDb(atPhone) - -10) < 0.2);
  const atSpeaker = join(s.speaker.between(t + 500, t + 2500));
  assert.ok(Math.abs(frequency(atSpeaker) - 1000) < 0.5 && Math.abs(levelDb(atSpeaker) - -10) < 0.2);
});

test("the door code as RFC 4733 events: relay1 on for door.relay_ms, the confirmation tone; a wrong code opens nothing", async () => {
  const s = await rig({ settings: { "door.code": "1234#", "door.relay_ms": "2000" }, script: { answerAfterMs: 500 }, phone: { toneHz: null } });
  press(s);
  s.clock.advance(2000);
  s.phone.dtmf("1111#");
  s.clock.advance(3000);
  assert.deepEqual(s.events("dtmf").map((e) => [e["digit"], e["source"]]), [..."1111#"].map((d) => [d, "rfc4733"]));
  assert.equal(s.events("door").length, 0, "a wrong code opens nothing");
  assert.equal(s.dev.io.history.filter((h) => h.name === "relay1").length, 0);
  // the phone's event packets: start with the marker, updates, three end packets, one timestamp
  const ev = s.phone.sender!.sent.filter((p) => p.pt === 101);
  const first = ev.filter((p) => p.ts === ev[0]!.ts);
  assert.deepEqual(first.map((p) => [p.marker, p.payload[1]! >> 7, (p.payload[2]! << 8) | p.payload[3]!]),
    [[true, 0, 160], [false, 0, 320], [false, 0, 480], [false, 0, 640], [false, 0, 800], [false, 1, 800], [false, 1, 800], [false, 1, 800]]);

  s.phone.dtmf("1234#");
  s.clock.runUntilTrue(() => s.events("door").length > 0, 5000);
  const open = s.events("door")[0]!;
  assert.equal(open["state"], "open");
  assert.equal(open["by"], "dtmf");
  assert.equal(open["ms"], 2000);
  // the digit is reported when the first packet of "#" arrives: 5 ms after the phone sent it
  const hash = s.phone.sender!.sent.filter((p) => p.pt === 101 && p.payload[0] === 11 && p.marker).at(-1)!;
  assert.equal(open.t, hash.t + 5);
  s.clock.advance(3000);
  const relay = s.dev.io.history.filter((h) => h.name === "relay1");
  assert.deepEqual(relay.map((h) => [h.value, h.t - open.t]), [[1, 0], [0, 2000]], "relay1 pulsed for door.relay_ms exactly");
  assert.equal(s.events("door")[1]!["state"], "closed");
  // the confirmation: three 100 ms beeps of 1 kHz on the speaker (the phone is silent)
  const after = s.speaker.between(open.t, open.t + 1000);
  const runs = cadence(after);
  const beeps = runs.slice(runs[0]![0] ? 0 : 1, (runs[0]![0] ? 0 : 1) + 6);
  assert.deepEqual(beeps, [[true, 5], [false, 5], [true, 5], [false, 5], [true, 5], [false, beeps[5]![1]]], JSON.stringify(runs));
  const beep = join(after.slice(runs[0]![0] ? 0 : runs[0]![1]).slice(0, 5));
  assert.ok(Math.abs(frequency(beep) - 1000) < 2, `${frequency(beep)} Hz`);
  assert.ok(goertzel(beep, 1000) > 100 * goertzel(beep, 440));
  assert.equal(s.events("dtmf").length, 10);
});

test("INFO application/dtmf-relay digits open the door too", async () => {
  const s = await rig({ settings: { "door.code": "1234#" }, script: { answerAfterMs: 500 } });
  press(s);
  s.clock.advance(2000);
  for (const d of "1234#") { s.phone.info(d); s.clock.advance(200); }
  assert.deepEqual(s.events("dtmf").map((e) => [e["digit"], e["source"]]), [..."1234#"].map((d) => [d, "info"]));
  assert.equal(s.phone.responses("INFO").filter((x) => x.m.status === 200).length, 5);
  assert.equal(s.events("door")[0]!["by"], "dtmf");
  assert.equal(s.dev.io.value("relay1"), 1);
});

test("a console call to a target that is not in button1.call cannot open the door", async () => {
  const s = await rig({ settings: { "door.code": "1234#", "button1.call": "sip:1002@10.0.0.9" }, script: { answerAfterMs: 500 } });
  assert.deepEqual(await s.run("call sip:1001@10.0.0.9"), ["ok"]);
  s.clock.advance(2000);
  assert.equal(s.events("call").at(-1)!["state"], "active");
  s.phone.dtmf("1234#");
  s.phone.info("1");
  s.clock.advance(3000);
  assert.equal(s.events("dtmf").length, 6, "the digits are seen");
  assert.equal(s.events("door").length, 0, "but they open nothing");
  assert.deepEqual(await s.run("hangup"), ["ok"]);
  s.clock.advance(100);
  assert.equal(s.events("call").at(-1)!["reason"], "ended from the console");
});

test("call.max_duration: the unit ends the call with BYE at exactly that time after the answer", async () => {
  const s = await rig({ settings: { "call.max_duration": "10" }, script: { answerAfterMs: 500 } });
  press(s);
  s.clock.advance(20000);
  const active = s.events("call").find((e) => e["state"] === "active")!;
  const bye = s.phone.requests("BYE");
  assert.equal(bye.length, 1);
  assert.equal(bye[0]!.t - active.t, 10000 + 5);
  assert.equal(s.events("call").at(-1)!["reason"], "maximum duration");
});

test("the second of two targets answers: its re-INVITE is answered and acknowledged in its own dialog (the 200 is not retransmitted)", async () => {
  const s = await rig({ settings: { "button1.call": "sip:1002@10.0.0.10, sip:1001@10.0.0.9" }, script: { answerAfterMs: 500 } });
  const b = new Phone(s.net, { ip: "10.0.0.10", user: "1002", script: { answerAfterMs: null }, seed: 2 });
  press(s);
  s.clock.advance(2000);
  assert.equal(b.requests("CANCEL").length, 1, "the first target is cancelled");
  assert.equal(s.events("call").at(-1)!["peer"], "sip:1001@10.0.0.9");
  s.phone.reinvite({ dir: "sendonly" });
  const t = s.clock.now();
  s.clock.advance(40000);
  const oks = s.phone.responses("INVITE").filter((x) => x.t > t);
  assert.deepEqual(oks.map((x) => [x.m.status, x.t - t]), [[200, 10]], "acknowledged: no retransmission");
  assert.match(oks[0]!.m.body, /\r\na=recvonly\r\n/);
  assert.equal(s.phone.requests("BYE").length, 0);
  assert.equal(s.events("call").at(-1)!["state"], "active");
});

test("session timer in the 200 with refresher=uac: the unit refreshes every 45 s; with refresher=uas and no refresh from the phone, BYE at 60 s", async () => {
  const s = await rig({ script: { answerAfterMs: 500, okHeaders: ["Session-Expires: 90;refresher=uac", "Require: timer"] } });
  press(s);
  s.clock.advance(1000);
  const tAnswer = s.events("call").at(-1)!.t;
  s.clock.advance(100000);
  const re = s.phone.requests("INVITE").slice(1);
  assert.deepEqual(re.map((x) => x.t - tAnswer), [45005, 90005]);
  assert.ok(re.every((x) => hdr(x.m, "session-expires") === "90;refresher=uac"));
  assert.deepEqual(re.map((x) => hdr(x.m, "cseq")), ["2 INVITE", "3 INVITE"]);
  assert.equal(s.phone.requests("ACK").length, 3);

  const u = await rig({ script: { answerAfterMs: 500, okHeaders: ["Session-Expires: 90;refresher=uas", "Require: timer"] } });
  press(u);
  u.clock.advance(1000);
  const tA = u.events("call").at(-1)!.t;
  u.clock.advance(100000);
  assert.equal(u.phone.requests("INVITE").length, 1, "the phone refreshes, not the unit");
  const bye = u.phone.requests("BYE");
  assert.deepEqual(bye.map((x) => x.t - tA), [60005]);
  assert.equal(u.events("call").at(-1)!["reason"], "session expired");
});
