// The phone calls the unit, on the virtual clock: the answer policy (answer.mode, answer.allow),
// the SDP answer (offer in the INVITE) and the offer in the 200 (answer in the ACK), busy, hold
// and resume by re-INVITE (RFC 3264 8.4), a new media address, 2xx retransmission until the ACK
// (13.3.1.4), session timers (RFC 4028: the unit refreshes when it is the refresher, ends the
// call when the peer's refresh never comes) and hang-up from the console.
import { test } from "node:test";
import assert from "node:assert/strict";
import { rig, Phone, RtpSender, hdr, tagOf, frequency, levelDb, join } from "./lib/phone.js";

const UNIT = "sip:2000@10.0.0.2";
type Rig = Awaited<ReturnType<typeof rig>>;

/** The phone calls the unit, which answers; returns the time the 200 arrived at the phone. */
function callIn(s: Rig, o: Parameters<Phone["call"]>[1] = {}): number {
  s.phone.call(UNIT, o);
  s.clock.advance(100);
  const ok = s.phone.responses("INVITE").find((x) => x.m.status === 200);
  assert.ok(ok, "answered");
  return ok.t;
}
/** Unit RTP packets arriving at the phone in [from, to). */
const rtpBetween = (s: Rig, from: number, to: number) => s.phone.rtpIn.audio(from, to);

test("an allowed caller is answered at once: 200 with the SDP answer (our codec preference among the offered), ACK, two-way audio, the door code", async () => {
  const s = await rig({ settings: { "answer.allow": "1002, 1001", "door.code": "1234#" }, phone: { codecs: [8, 0] } });
  const t0 = s.clock.now();
  const t200 = callIn(s);
  assert.equal(t200 - t0, 10, "no ringing: answered on arrival");
  const rs = s.phone.responses("INVITE").map((x) => x.m);
  assert.deepEqual(rs.map((m) => m.status), [200]);
  const ok = rs[0]!;
  assert.match(hdr(ok, "to")!, /^<sip:2000@10\.0\.0\.2>;tag=[0-9a-f]{16}$/);
  assert.equal(hdr(ok, "contact"), "<sip:2000@10.0.0.2:5060>");
  assert.equal(hdr(ok, "supported"), "timer");
  assert.equal(hdr(ok, "session-expires"), undefined, "no session timer asked for, none imposed");
  assert.equal(hdr(ok, "content-type"), "application/sdp");
  const sdp = ok.body.split("\r\n");
  assert.match(sdp[1]!, /^o=- \d+ \d+ IN IP4 10\.0\.0\.2$/);
  assert.deepEqual(sdp.slice(2), ["s=-", "c=IN IP4 10.0.0.2", "t=0 0", "m=audio 40000 RTP/AVP 0 101", "a=rtpmap:0 PCMU/8000",
    "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-15", "a=ptime:20", "a=sendrecv", ""], "PCMU (call.codecs pcmu,pcma) though the phone prefers PCMA");
  assert.deepEqual(s.events("call").map((e) => [e["state"], e["direction"], e["peer"]]),
    [["ringing", "in", "sip:1001@10.0.0.9"], ["active", "in", "sip:1001@10.0.0.9"]]);
  s.clock.advance(3000);
  const atPhone = s.phone.rtpIn.samples(t200 + 500, t200 + 2500);
  assert.ok(Math.abs(frequency(atPhone) - 440) < 0.5 && Math.abs(levelDb(atPhone) - -10) < 0.2, `${frequency(atPhone)} Hz ${levelDb(atPhone)} dB`);
  const atSpeaker = join(s.speaker.between(t200 + 500, t200 + 2500));
  assert.ok(Math.abs(frequency(atSpeaker) - 1000) < 0.5 && Math.abs(levelDb(atSpeaker) - -10) < 0.2, `${frequency(atSpeaker)} Hz ${levelDb(atSpeaker)} dB`);
  s.phone.dtmf("1234#");
  s.clock.advance(2000);
  assert.equal(s.events("door")[0]!["by"], "dtmf", "an allowed caller may open the door");
  assert.equal(s.phone.sent().filter((x) => x.m.status === 200).length, 0);
  assert.deepEqual(s.dev.traps, []);
});

test("answer.allow by SIP URI: user and host must both match", async () => {
  const s = await rig({ settings: { "answer.allow": "sip:1001@10.0.0.9" } });
  callIn(s);
  assert.equal(s.events("call").at(-1)!["state"], "active");
  const other = await rig({ settings: { "answer.allow": "sip:1001@pbx.example" } });
  other.phone.call(UNIT);
  other.clock.advance(100);
  assert.deepEqual(other.phone.responses("INVITE").map((x) => x.m.status), [403]);
});

test("a caller not in answer.allow: 403, no call; telephone-events sent to the unit's RTP port anyway open nothing", async () => {
  const s = await rig({ settings: { "answer.allow": "1002", "door.code": "1234#" } });
  s.phone.call(UNIT);
  s.clock.advance(100);
  const rs = s.phone.responses("INVITE");
  assert.deepEqual(rs.map((x) => x.m.status), [403]);
  assert.equal(s.phone.sent().filter((x) => x.m.method === "ACK").length, 1, "the phone acknowledges the 403");
  assert.equal(s.events("call").length, 0, "no call");
  const rogue = new RtpSender(s.clock, s.phone.rtp, { ip: "10.0.0.2", port: 40000 }, 0, 101, 1000, -10, 9);
  rogue.start();
  rogue.dtmf("1234#");
  s.clock.advance(3000);
  rogue.stop();
  assert.equal(s.events("dtmf").length, 0);
  assert.equal(s.events("door").length, 0);
  assert.equal(s.dev.io.history.filter((h) => h.name === "relay1").length, 0);
  assert.ok(s.net.stats.unreachable >= 100, "no RTP socket is open for a refused caller");
});

test("answer.mode off: every caller is refused, the allowed one too", async () => {
  const s = await rig({ settings: { "answer.mode": "off", "answer.allow": "*" } });
  s.phone.call(UNIT);
  s.clock.advance(100);
  assert.deepEqual(s.phone.responses("INVITE").map((x) => x.m.status), [403]);
  assert.equal(s.events("call").length, 0);
});

test("INVITE without SDP: the unit offers in its 200, the phone answers in the ACK, then audio both ways", async () => {
  const s = await rig({ settings: { "answer.allow": "*" } });
  const t200 = callIn(s, { sdp: false });
  const ok = s.phone.responses("INVITE")[0]!.m;
  assert.match(ok.body, /\r\nm=audio 40000 RTP\/AVP 0 8 101\r\n/, "the full offer");
  const ack = s.phone.sent().find((x) => x.m.method === "ACK")!.m;
  assert.match(ack.body, /\r\nm=audio 30000 RTP\/AVP 0 101\r\n/, "the answer in the ACK");
  s.clock.advance(3000);
  assert.equal(s.events("call").at(-1)!["state"], "active");
  const atPhone = s.phone.rtpIn.samples(t200 + 500, t200 + 2500);
  assert.ok(Math.abs(frequency(atPhone) - 440) < 0.5, `${frequency(atPhone)} Hz`);
  const atSpeaker = join(s.speaker.between(t200 + 500, t200 + 2500));
  assert.ok(Math.abs(frequency(atSpeaker) - 1000) < 0.5, `${frequency(atSpeaker)} Hz`);
  assert.equal(s.phone.sent().filter((x) => x.m.method === "ACK").length, 1, "the 200 is not retransmitted after the ACK");
});

test("a second call while busy: 486, the first call goes on", async () => {
  const s = await rig({ settings: { "answer.allow": "*" } });
  callIn(s);
  const other = new Phone(s.net, { ip: "10.0.0.10", user: "1002", seed: 2 });
  other.call(UNIT);
  s.clock.advance(100);
  assert.deepEqual(other.responses("INVITE").map((x) => x.m.status), [486]);
  assert.equal(other.sent().filter((x) => x.m.method === "ACK").length, 1);
  const calls = s.events("call");
  assert.equal(calls.at(-1)!["state"], "active");
  assert.equal(calls.at(-1)!["peer"], "sip:1001@10.0.0.9");
});

test("hold and resume by re-INVITE: sendonly -> the unit answers recvonly and stops sending; inactive; sendrecv again; a new RTP port", async () => {
  const s = await rig({ settings: { "answer.allow": "*" } });
  callIn(s);
  s.clock.advance(1000);
  const version = (body: string) => Number(body.split("\r\n")[1]!.split(" ")[2]);
  const answers: string[] = [s.phone.responses("INVITE")[0]!.m.body];
  const step = (o: Parameters<Phone["reinvite"]>[0]): number => {
    s.phone.reinvite(o);
    const t = s.clock.now();
    s.clock.advance(2000);
    answers.push(s.phone.responses("INVITE").at(-1)!.m.body);
    return t;
  };
  const tHold = step({ dir: "sendonly" });
  assert.match(answers[1]!, /\r\na=recvonly\r\n/);
  assert.equal(rtpBetween(s, tHold + 50, tHold + 2000).length, 0, "on hold: the unit sends no audio");
  const held = join(s.speaker.between(tHold + 500, tHold + 2000));
  assert.ok(Math.abs(frequency(held) - 1000) < 0.5, "but still plays the phone's");
  const tOff = step({ dir: "inactive" });
  assert.match(answers[2]!, /\r\na=inactive\r\n/);
  assert.equal(rtpBetween(s, tOff + 50, tOff + 2000).length, 0);
  assert.ok(s.speaker.between(tOff + 500, tOff + 2000).every((f) => levelDb(f) === -Infinity), "inactive: nothing played");
  const tOn = step({ dir: "sendrecv" });
  assert.match(answers[3]!, /\r\na=sendrecv\r\n/);
  const resumed = rtpBetween(s, tOn, tOn + 2000);
  assert.ok(resumed.length >= 95, `${resumed.length} packets after resume`);
  assert.ok(resumed[0]!.marker, "the first packet after the pause has the marker bit");
  assert.ok(Math.abs(frequency(s.phone.rtpIn.samples(tOn + 500, tOn + 2000)) - 440) < 0.5);
  const tMove = step({ rtpPort: 30010 });
  const moved = s.phone.rtpIn.audio(tMove + 40, tMove + 2000);
  assert.ok(moved.length >= 95 && moved.every((p) => p.t > 0), "RTP goes on");
  assert.match(answers[4]!, /\r\na=sendrecv\r\n/);
  // each new answer is a new version of the unit's SDP (RFC 3264 8)
  assert.deepEqual(answers.slice(1).map((b) => version(b) - version(answers[0]!)), [1, 2, 3, 3], "hold, inactive, resume change the SDP; a new remote port does not");
  assert.equal(s.phone.rtp.port, 30010);
  assert.ok(s.phone.rtpIn.packets.filter((p) => p.t > tMove + 40).length >= 95, "the unit sends to the new port");
  assert.equal(s.events("call").at(-1)!["state"], "active");
});

test("the ACK of a re-INVITE's 200 is lost: the 200 is retransmitted (T1 doubling to T2) until an ACK comes, and the call goes on", async () => {
  const s = await rig({ settings: { "answer.allow": "*" } });
  callIn(s);
  s.clock.advance(60000); // long after the answer
  s.phone.withholdAck = true;
  s.phone.reinvite({ dir: "sendonly" });
  const t0 = s.clock.now();
  s.clock.advance(8000);
  s.phone.withholdAck = false; // the next copy gets its ACK
  s.clock.advance(10000);
  const oks = s.phone.responses("INVITE").filter((x) => x.t > t0).map((x) => x.t - t0);
  assert.deepEqual(oks, [10, 510, 1510, 3510, 7510, 11510], "13.3.1.4: T1, 2T1, 4T1, then T2");
  assert.equal(s.phone.requests("BYE").length, 0);
  assert.equal(s.events("call").at(-1)!["state"], "active");
});

test("the caller never ACKs the 200: copies for 64*T1, then the unit ends the call with BYE", async () => {
  const s = await rig({ settings: { "answer.allow": "*" } });
  s.phone.withholdAck = true;
  s.phone.call(UNIT);
  const t0 = s.clock.now();
  s.clock.advance(40000);
  const oks = s.phone.responses("INVITE").map((x) => x.t - t0);
  assert.deepEqual(oks, [10, 510, 1510, 3510, 7510, 11510, 15510, 19510, 23510, 27510, 31510]);
  const bye = s.phone.requests("BYE");
  assert.equal(bye.length, 1);
  assert.equal(bye[0]!.t - t0, 5 + 32000 + 5, "at 64*T1 after the first 200");
  assert.equal(s.events("call").at(-1)!["reason"], "no ACK");
});

test("console hangup: BYE to the caller's Contact, ended with reason ended from the console", async () => {
  const s = await rig({ settings: { "answer.allow": "*" } });
  callIn(s);
  s.clock.advance(2000);
  assert.deepEqual(await s.run("hangup"), ["ok"]);
  s.clock.advance(100);
  const bye = s.phone.requests("BYE");
  assert.equal(bye.length, 1);
  assert.equal(bye[0]!.m.uri, "sip:1001@10.0.0.9:5060");
  assert.equal(hdr(bye[0]!.m, "cseq"), "1 BYE", "the unit's first request in this dialog");
  assert.equal(tagOf(hdr(bye[0]!.m, "to")), s.phone.dialog!.localTag);
  assert.equal(tagOf(hdr(bye[0]!.m, "from")), tagOf(hdr(s.phone.responses("INVITE")[0]!.m, "to")));
  const end = s.events("call").at(-1)!;
  assert.deepEqual([end["state"], end["reason"], end["direction"]], ["ended", "ended from the console", "in"]);
  assert.deepEqual(await s.run("hangup"), ["error: no call"]);
});

test("session timer, the unit refreshes (refresher=uas): Session-Expires and Require in the 200, a re-INVITE every 45 s with refresher=uac", async () => {
  const s = await rig({ settings: { "answer.allow": "*" } });
  const t0 = s.clock.now();
  callIn(s, { headers: ["Session-Expires: 90;refresher=uas", "Supported: timer"] });
  const ok = s.phone.responses("INVITE")[0]!.m;
  assert.equal(hdr(ok, "session-expires"), "90;refresher=uas");
  assert.equal(hdr(ok, "require"), "timer");
  s.clock.advance(200000);
  const refreshes = s.phone.requests("INVITE");
  assert.deepEqual(refreshes.map((x) => Math.round((x.t - t0) / 100) / 10), [45, 90, 135, 180], "every half interval");
  for (const r of refreshes) {
    assert.equal(hdr(r.m, "session-expires"), "90;refresher=uac", "we are the refresher: the UAC of this re-INVITE (RFC 4028 7.4)");
    assert.equal(tagOf(hdr(r.m, "from")), tagOf(hdr(ok, "to")));
  }
  assert.deepEqual(refreshes.map((x) => Number(hdr(x.m, "cseq")!.split(" ")[0])), [1, 2, 3, 4]);
  assert.equal(s.phone.sent().filter((x) => x.m.status === 200 && x.m.method === "INVITE").length, 4, "the phone accepted each");
  assert.equal(s.phone.requests("ACK").length, 4);
  assert.equal(s.events("call").at(-1)!["state"], "active");
});

test("session timer asked by a caller without Supported: timer: the unit refreshes (RFC 4028 9), no Require", async () => {
  const s = await rig({ settings: { "answer.allow": "*" } });
  const t0 = s.clock.now();
  callIn(s, { headers: ["Session-Expires: 120"] });
  const ok = s.phone.responses("INVITE")[0]!.m;
  assert.equal(hdr(ok, "session-expires"), "120;refresher=uas");
  assert.equal(hdr(ok, "require"), undefined);
  s.clock.advance(130000);
  assert.deepEqual(s.phone.requests("INVITE").map((x) => Math.round((x.t - t0) / 100) / 10), [60, 120]);
});

test("session timer, the phone refreshes (refresher=uac): a refresh keeps the call; when none comes, BYE at the interval minus 30 s", async () => {
  const s = await rig({ settings: { "answer.allow": "*" } });
  const SE = ["Session-Expires: 90;refresher=uac", "Supported: timer"];
  callIn(s, { headers: SE });
  const tAnswer = s.events("call").find((e) => e["state"] === "active")!.t;
  assert.equal(hdr(s.phone.responses("INVITE")[0]!.m, "session-expires"), "90;refresher=uac");
  s.clock.advance(45000 - (s.clock.now() - tAnswer));
  s.phone.reinvite({ headers: SE });
  const tRefresh = s.clock.now() + 5;
  s.clock.advance(100000);
  const bye = s.phone.requests("BYE");
  assert.equal(bye.length, 1);
  assert.equal(bye[0]!.t - tRefresh, 60000 + 5, "90 s - min(32 s, 90/3 s) after the last refresh");
  assert.equal(s.events("call").at(-1)!["reason"], "session expired");
});
