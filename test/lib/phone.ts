// A scripted SIP phone for the virtual network, and the audio measurements the call scenarios
// make. The phone has one PeerSocket for SIP and one for RTP (plus RTCP on the next port, so the
// unit's reports land somewhere). It answers INVITEs as its `script` says (100, 180, 183 with
// early media, 200, a rejection, a digest challenge, a redirect, extra 2xx from other forks, or
// silence), places calls, sends BYE, CANCEL, re-INVITE (hold, resume, new address) and INFO,
// acknowledges 2xx (again for each retransmission), retransmits its own requests and its 2xx
// (RFC 3261 17.1, 13.3.1.4) so calls survive a lossy link, and answers what the unit sends inside
// a dialog. Media: G.711 (μ-law or A-law, encoded with alawmulaw) of a tone every 20 ms on the
// virtual clock, RFC 4733 telephone-events, and a receiver that decodes the unit's RTP by
// timestamp into one sample buffer.
import alawmulaw from "alawmulaw";
import { Device, ToneSource, VirtualClock, VirtualNetwork, type LinkConfig, ip4, ip4str, runCommand, type ClockEvent, type PeerDatagram, type PeerSocket,
  type VirtualDevice } from "../../host-sim/src/index.js";
import { parseSip, hdr, hdrs, tagOf, respond, param, parseDigest, digestResponse, cseqOf, branchOf, type SipMessage } from "./sip.js";

const T1 = 500, T2 = 4000;
const dec = new TextDecoder();

// ---- SDP (RFC 4566) as the phone writes and reads it

export type Direction = "sendrecv" | "sendonly" | "recvonly" | "inactive";

export interface SdpInfo {
  version: number;
  ip: string;
  port: number;
  /** Payload types of the m= line, in order. */
  pts: number[];
  /** rtpmap encodings by payload type, e.g. 0 -> "PCMU/8000". */
  rtpmap: Map<number, string>;
  /** telephone-event payload type, or null. */
  te: number | null;
  dir: Direction;
}

export function parseSdp(body: string): SdpInfo {
  const info: SdpInfo = { version: 0, ip: "", port: 0, pts: [], rtpmap: new Map(), te: null, dir: "sendrecv" };
  for (const line of body.split(/\r?\n/)) {
    const [k, v] = [line.slice(0, 2), line.slice(2)];
    if (k === "o=") info.version = Number(v.split(" ")[2]);
    else if (k === "c=") info.ip = v.split(" ")[2] ?? "";
    else if (k === "m=") { const f = v.split(" "); info.port = Number(f[1]); info.pts = f.slice(3).map(Number); }
    else if (k === "a=") {
      const map = /^rtpmap:(\d+) (.+)$/.exec(v);
      if (map) { info.rtpmap.set(Number(map[1]), map[2]!); if (/^telephone-event\//i.test(map[2]!)) info.te = Number(map[1]); }
      if (v === "sendrecv" || v === "sendonly" || v === "recvonly" || v === "inactive") info.dir = v;
    }
  }
  return info;
}

const MIRROR: Record<Direction, Direction> = { sendrecv: "sendrecv", sendonly: "recvonly", recvonly: "sendonly", inactive: "inactive" };
const CODEC_NAME: Record<number, string> = { 0: "PCMU/8000", 8: "PCMA/8000" };

export function buildSdp(o: { ip: string; port: number; pts: number[]; te: number | null; dir: Direction; version: number }): string {
  const lines = ["v=0", `o=phone 4711 ${o.version} IN IP4 ${o.ip}`, "s=call", `c=IN IP4 ${o.ip}`, "t=0 0",
    `m=audio ${o.port} RTP/AVP ${[...o.pts, ...(o.te === null ? [] : [o.te])].join(" ")}`];
  for (const pt of o.pts) lines.push(`a=rtpmap:${pt} ${CODEC_NAME[pt]}`);
  if (o.te !== null) lines.push(`a=rtpmap:${o.te} telephone-event/8000`, `a=fmtp:${o.te} 0-15`);
  lines.push("a=ptime:20", `a=${o.dir}`);
  return lines.join("\r\n") + "\r\n";
}

// ---- RTP (RFC 3550 5.1), G.711 and RFC 4733 telephone-events

export interface RtpPacket { t: number; srcIp: number; srcPort: number; pt: number; marker: boolean; seq: number; ts: number; ssrc: number; payload: Uint8Array }

export function parseRtp(d: PeerDatagram): RtpPacket | null {
  const b = d.data;
  if (b.length < 12 || b[0]! >> 6 !== 2) return null;
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const cc = b[0]! & 15;
  return { t: d.t, srcIp: d.srcIp, srcPort: d.srcPort, pt: b[1]! & 0x7f, marker: (b[1]! & 0x80) !== 0, seq: v.getUint16(2),
    ts: v.getUint32(4), ssrc: v.getUint32(8), payload: b.subarray(12 + 4 * cc) };
}

export function buildRtp(pt: number, marker: boolean, seq: number, ts: number, ssrc: number, payload: Uint8Array): Uint8Array {
  const b = new Uint8Array(12 + payload.length);
  const v = new DataView(b.buffer);
  b[0] = 0x80;
  b[1] = (marker ? 0x80 : 0) | pt;
  v.setUint16(2, seq & 0xffff);
  v.setUint32(4, ts >>> 0);
  v.setUint32(8, ssrc >>> 0);
  b.set(payload, 12);
  return b;
}

/** G.711 by static payload type: 0 = PCMU (μ-law), 8 = PCMA (A-law). */
export function encodeG711(pt: number, s: Int16Array): Uint8Array { return pt === 8 ? alawmulaw.alaw.encode(s) : alawmulaw.mulaw.encode(s); }
export function decodeG711(pt: number, b: Uint8Array): Int16Array { return pt === 8 ? alawmulaw.alaw.decode(b) : alawmulaw.mulaw.decode(b); }

const DTMF_CODES = "0123456789*#ABCD";

/** An RFC 4733 telephone-event payload: event, E bit, volume, duration. */
export function eventPayload(digit: string, end: boolean, duration: number, volume = 10): Uint8Array {
  const code = DTMF_CODES.indexOf(digit.toUpperCase());
  if (code < 0) throw new Error(`not a DTMF digit: ${digit}`);
  return new Uint8Array([code, (end ? 0x80 : 0) | volume, duration >> 8, duration & 255]);
}

/**
 * Sends RTP every 20 ms on the virtual clock from one socket: G.711 frames of a tone (or
 * silence), and telephone-events in place of the audio while a digit is being sent (2.5.1: the
 * start with the marker bit, updates every 20 ms with the duration so far, three end packets with
 * the E bit; all with the timestamp of the frame where the event began). The timestamp moves 160
 * per frame whatever is sent; the first audio packet after an event or a pause has the marker.
 */
export class RtpSender {
  readonly ssrc: number;
  seq: number;
  ts: number;
  /** Every packet sent, for tests. */
  readonly sent: RtpPacket[] = [];
  sending = false;
  private source: ToneSource | null;
  private timer: ClockEvent | null = null;
  private marker = true;
  private digits: { digit: string; frames: number; gap: number }[] = [];
  private event: { digit: string; ts: number; frame: number; frames: number; gap: number } | null = null;
  private gapLeft = 0;

  constructor(private readonly clock: VirtualClock, public socket: PeerSocket, public dest: { ip: string; port: number },
      public pt: number, public te: number | null, toneHz: number | null, dbfs: number, seed: number) {
    this.source = toneHz === null ? null : new ToneSource(toneHz, dbfs);
    this.ssrc = (0x5eed0000 + seed * 7919) >>> 0;
    this.seq = (seed * 1031) & 0xffff;
    this.ts = (seed * 104729) >>> 0;
  }

  /** Starts (or resumes) the 20 ms frame clock. */
  start(): void {
    if (this.sending) return;
    this.sending = true;
    this.marker = true;
    const t0 = this.clock.now();
    let k = 0;
    const tick = (): void => {
      this.frame();
      this.timer = this.clock.at(t0 + 20 * ++k, tick);
    };
    tick();
  }

  /** Stops sending; the timestamp keeps running while stopped (RFC 3550: it is a clock). */
  stop(): void {
    if (!this.sending) return;
    this.sending = false;
    this.timer?.cancel();
    this.timer = null;
    this.pauseAt = this.clock.now();
  }
  private pauseAt = 0;

  /** Queues DTMF digits as telephone-events of durationMs each, gapMs of audio between them. */
  dtmf(digits: string, durationMs = 100, gapMs = 60): void {
    if (this.te === null) throw new Error("no telephone-event payload type negotiated");
    for (const d of digits) this.digits.push({ digit: d, frames: Math.round(durationMs / 20), gap: Math.round(gapMs / 20) });
  }

  /** True while digits wait or an event is being sent. */
  get dtmfBusy(): boolean { return this.event !== null || this.digits.length > 0; }

  private frame(): void {
    if (this.pauseAt > 0) { this.ts = (this.ts + 8 * (this.clock.now() - this.pauseAt)) >>> 0; this.pauseAt = 0; }
    const ts = this.ts;
    this.ts = (this.ts + 160) >>> 0;
    if (this.event === null && this.gapLeft === 0 && this.digits.length > 0) {
      const d = this.digits.shift()!;
      this.event = { digit: d.digit, ts, frame: 0, frames: d.frames, gap: d.gap };
    }
    const e = this.event;
    if (e !== null) {
      e.frame++;
      const end = e.frame > e.frames;
      const duration = 160 * Math.min(e.frame, e.frames);
      this.send(this.te!, e.frame === 1, e.ts, eventPayload(e.digit, end, duration));
      if (e.frame === e.frames + 3) { this.event = null; this.gapLeft = e.gap; this.marker = true; }
      return;
    }
    if (this.gapLeft > 0) this.gapLeft--;
    const pcm = new Int16Array(160);
    this.source?.fill(pcm);
    this.send(this.pt, this.marker, ts, encodeG711(this.pt, pcm));
    this.marker = false;
  }

  private send(pt: number, marker: boolean, ts: number, payload: Uint8Array): void {
    const seq = this.seq;
    this.seq = (this.seq + 1) & 0xffff;
    const data = buildRtp(pt, marker, seq, ts, this.ssrc, payload);
    this.sent.push({ t: this.clock.now(), srcIp: this.socket.ip, srcPort: this.socket.port, pt, marker, seq, ts, ssrc: this.ssrc, payload });
    this.socket.send(this.dest.ip, this.dest.port, data);
  }
}

/** Collects the RTP arriving at a socket and decodes the audio by timestamp. */
export class RtpReceiver {
  readonly packets: RtpPacket[] = [];
  invalid = 0;

  add(d: PeerDatagram): void {
    const p = parseRtp(d);
    if (p) this.packets.push(p); else this.invalid++;
  }

  /** Audio packets (PT 0 or 8) received in [from, to) ms of arrival time. */
  audio(from = 0, to = Infinity): RtpPacket[] {
    return this.packets.filter((p) => (p.pt === 0 || p.pt === 8) && p.t >= from && p.t < to);
  }

  /** The audio of packets arriving in [from, to), decoded and placed by RTP timestamp (gaps are
   *  zeros; duplicates overwrite); sample 0 is the earliest timestamp. */
  samples(from = 0, to = Infinity): Int16Array {
    const ps = this.audio(from, to);
    if (ps.length === 0) return new Int16Array(0);
    const base = ps.reduce((m, p) => (((p.ts - m) | 0) < 0 ? p.ts : m), ps[0]!.ts);
    const end = ps.reduce((m, p) => Math.max(m, ((p.ts - base) >>> 0) + p.payload.length), 0);
    const out = new Int16Array(end);
    for (const p of ps) out.set(decodeG711(p.pt, p.payload), (p.ts - base) >>> 0);
    return out;
  }
}

// ---- measurements

/** Frequency of a tone in Hz from its upward zero crossings (interpolated between samples). */
export function frequency(x: Int16Array, rate = 8000): number {
  let first = -1, last = -1, n = 0;
  for (let i = 1; i < x.length; i++) {
    const a = x[i - 1]!, b = x[i]!;
    if (a < 0 && b >= 0) {
      const at = i - 1 + -a / (b - a);
      if (first < 0) first = at;
      last = at;
      n++;
    }
  }
  return n < 2 ? 0 : ((n - 1) * rate) / (last - first);
}

/** RMS level in dB relative to a full-scale sine (a sine of peak 32767 reads 0 dB; a tone made
 *  with `tone:HZ:DB` reads DB). Silence reads -Infinity. */
export function levelDb(x: Int16Array): number {
  if (x.length === 0) return -Infinity;
  let s = 0;
  for (const v of x) s += v * v;
  return 20 * Math.log10((Math.sqrt(s / x.length) * Math.SQRT2) / 32767);
}

/** Power of frequency f in x (Goertzel), normalised so a sine of peak A gives (A/2)^2. */
export function goertzel(x: Int16Array, f: number, rate = 8000): number {
  const w = (2 * Math.PI * f) / rate, c = 2 * Math.cos(w);
  let s1 = 0, s2 = 0;
  for (const v of x) { const s0 = v + c * s1 - s2; s2 = s1; s1 = s0; }
  return (s1 * s1 + s2 * s2 - c * s1 * s2) / (x.length * x.length);
}

/** Runs of 20 ms frames above (on) or below (off) a level, as [on, frames] pairs. */
export function cadence(frames: Int16Array[], thresholdDb = -40): [boolean, number][] {
  const runs: [boolean, number][] = [];
  for (const f of frames) {
    const on = levelDb(f) > thresholdDb;
    const last = runs[runs.length - 1];
    if (last && last[0] === on) last[1]++; else runs.push([on, 1]);
  }
  return runs;
}

/** Joins frames into one buffer. */
export function join(frames: Int16Array[]): Int16Array {
  const out = new Int16Array(frames.length * 160);
  frames.forEach((f, i) => out.set(f, i * 160));
  return out;
}

/** Longest stretch of samples whose 5 ms windows stay below the level (ms). */
export function longestSilenceMs(x: Int16Array, thresholdDb = -50): number {
  let run = 0, best = 0;
  for (let i = 0; i + 40 <= x.length; i += 40) {
    if (levelDb(x.subarray(i, i + 40)) < thresholdDb) { run += 5; best = Math.max(best, run); } else run = 0;
  }
  return best;
}

// ---- the unit under test

/** The unit's speaker, frame by frame with the frame times. */
export class Speaker {
  readonly frames: { t: number; f: Int16Array }[] = [];
  constructor(dev: VirtualDevice) { dev.audio.onSpeaker = (f, t) => { this.frames.push({ t, f }); }; }
  /** Frames played in [from, to). */
  between(from: number, to: number): Int16Array[] { return this.frames.filter((x) => x.t >= from && x.t < to).map((x) => x.f); }
}

/** Runs console lines on the unit and checks each answers ok. */
export async function configure(dev: VirtualDevice, values: Record<string, string>): Promise<void> {
  for (const [k, v] of Object.entries(values)) {
    const r = await runCommand(dev.console, dev.clock, `set ${k} ${v}`);
    if (r.at(-1) !== "ok") throw new Error(`set ${k} ${v}: ${r.join(" | ")}`);
  }
  const r = await runCommand(dev.console, dev.clock, "save");
  if (r.at(-1) !== "ok") throw new Error(`save: ${r.join(" | ")}`);
}

/** A unit on the virtual network with its speaker recorded and its settings applied. */
export async function startUnit(net: VirtualNetwork, o: { ip?: string; mic?: string; seed?: number; settings?: Record<string, string> } = {}): Promise<{ dev: VirtualDevice; speaker: Speaker }> {
  const dev = Device.virtual({ network: net, ip: o.ip ?? "10.0.0.2", seed: o.seed ?? 5, stopOnTrap: true, mic: o.mic ?? "tone:440:-10" }).start();
  const speaker = new Speaker(dev);
  dev.clock.advance(100);
  if (o.settings) await configure(dev, o.settings);
  return { dev, speaker };
}

/** A unit (10.0.0.2, user 2000, button1 calls the phone peer to peer) and a phone (10.0.0.9)
 *  on a network whose links delay 5 ms. */
export async function rig(o: { script?: InviteScript; settings?: Record<string, string>; phone?: Partial<PhoneOptions>; link?: LinkConfig; mic?: string; seed?: number } = {}) {
  const clock = new VirtualClock();
  const net = new VirtualNetwork(clock, { seed: o.seed ?? 3, link: o.link ?? { delayMs: 5 } });
  const phone = new Phone(net, { ip: "10.0.0.9", script: o.script, ...o.phone });
  const { dev, speaker } = await startUnit(net, { mic: o.mic, settings: { "sip.user": "2000", "button1.call": "sip:1001@10.0.0.9", ...o.settings } });
  const events = (type: string) => dev.events.since(0).filter((e) => e.type === type);
  const run = (line: string) => runCommand(dev.console, clock, line);
  return { clock, net, dev, speaker, phone, events, run };
}

// ---- the phone

export interface InviteScript {
  /** Send 100 Trying at once (default true), or this many ms after the INVITE. */
  trying?: boolean | number;
  /** 180 Ringing this many ms after the INVITE (default 0); null = none. */
  ringAfterMs?: number | null;
  /** 183 Session Progress with the SDP answer (early media) this many ms after; null = none. */
  earlyAfterMs?: number | null;
  /** 200 with the SDP answer this many ms after the INVITE (default 1000); null = never. */
  answerAfterMs?: number | null;
  /** A final rejection instead of the answer, after afterMs (default 0). */
  reject?: { code: number; reason: string; afterMs?: number; headers?: string[] };
  /** Challenge INVITEs that carry no valid credentials with 401 or 407 (digest, qop=auth). */
  challenge?: 401 | 407;
  /** Answer with 302 to this URI. */
  redirect?: string;
  /** To tags of other forks: each sends its own 200 right after ours (forking proxy). */
  forks?: string[];
  /** Never answer at all. */
  silent?: boolean;
  /** Extra headers of the 200 (e.g. Session-Expires). */
  okHeaders?: string[];
}

export interface PhoneOptions {
  ip: string;
  user?: string;
  sipPort?: number;
  rtpPort?: number;
  /** Payload types the phone offers or accepts, in order of preference (default [0, 8]). */
  codecs?: number[];
  toneHz?: number | null;
  toneDb?: number;
  /** Digest credentials the phone checks when it challenges. */
  auth?: { user: string; password: string; realm?: string };
  script?: InviteScript;
  /** Disambiguates SSRC and sequence numbers between phones. */
  seed?: number;
}

interface Dialog {
  callId: string;
  localTag: string;
  remoteTag: string;
  /** Our and their name-addr without tag. */
  local: string;
  remote: string;
  /** Their Contact: where in-dialog requests go. */
  target: string;
  cseq: number;
  uac: boolean;
  /** The INVITE server transaction answered with 2xx while no ACK came (incoming calls, re-INVITEs). */
  unacked: { cseq: number; response: string; retx: ClockEvent | null } | null;
}

interface ClientTx { branch: string; method: string; text: string; dest: [string, number]; retx: ClockEvent | null; interval: number; deadline: number; final: SipMessage | null; ack: string | null }
interface ServerInvite { m: SipMessage; branch: string; toTag: string; last: string; final: boolean; timers: ClockEvent[] }

export class Phone {
  readonly ip: string;
  readonly user: string;
  readonly sip: PeerSocket;
  rtp: PeerSocket;
  readonly rtcp: PeerSocket;
  readonly rtpIn = new RtpReceiver();
  readonly rtcpIn: PeerDatagram[] = [];
  /** Every SIP message received and sent, in order. */
  readonly log: { t: number; dir: "in" | "out"; m: SipMessage }[] = [];
  script: InviteScript;
  codecs: number[];
  /** The current dialog (the last one confirmed). */
  dialog: Dialog | null = null;
  /** The media negotiated: where to send, with which payload types; and our direction. */
  media: { ip: string; port: number; pt: number; te: number | null; dir: Direction } | null = null;
  sender: RtpSender | null = null;
  /** The last SDP the unit sent (offer or answer). */
  remoteSdp: SdpInfo | null = null;
  /** Our direction for the next offer or answer. */
  dir: Direction = "sendrecv";
  /** Withhold ACKs for 2xx (tests of the unit's 2xx retransmission). */
  withholdAck = false;
  private readonly clock: VirtualClock;
  private server: ServerInvite | null = null;
  private readonly clients = new Map<string, ClientTx>();
  private sdpVersion = 1;
  private n = 0;
  private nonces = 0;

  constructor(readonly net: VirtualNetwork, readonly o: PhoneOptions) {
    this.clock = net.clock as VirtualClock;
    this.ip = o.ip;
    this.user = o.user ?? "1001";
    this.script = o.script ?? {};
    this.codecs = o.codecs ?? [0, 8];
    this.sip = net.peer(o.ip, o.sipPort ?? 5060);
    this.rtp = net.peer(o.ip, o.rtpPort ?? 30000);
    this.rtcp = net.peer(o.ip, (o.rtpPort ?? 30000) + 1);
    this.sip.onReceive = (d) => this.onSip(d);
    this.rtp.onReceive = (d) => this.rtpIn.add(d);
    this.rtcp.onReceive = (d) => { this.rtcpIn.push(d); };
  }

  get uri(): string { return `sip:${this.user}@${this.ip}:${this.sip.port}`; }

  // ---- what the phone saw

  /** Requests received, optionally of one method. */
  requests(method?: string): { t: number; m: SipMessage }[] {
    return this.log.filter((x) => x.dir === "in" && x.m.isRequest && (!method || x.m.method === method));
  }
  /** Responses received, optionally to one method. */
  responses(method?: string): { t: number; m: SipMessage }[] {
    return this.log.filter((x) => x.dir === "in" && !x.m.isRequest && (!method || x.m.method === method));
  }
  /** Messages sent. */
  sent(): { t: number; m: SipMessage }[] { return this.log.filter((x) => x.dir === "out"); }

  // ---- sending SIP

  private send(text: string, ip: string, port: number): void {
    this.log.push({ t: this.clock.now(), dir: "out", m: parseSip(text) });
    this.sip.send(ip, port, text);
  }

  private tag(): string { return `ph${this.o.seed ?? 0}t${++this.n}`; }
  private branch(): string { return `z9hG4bKph${this.o.seed ?? 0}b${++this.n}`; }
  private contact(): string { return `Contact: <${this.uri}>`; }

  /** A request leaving through a client transaction: retransmitted at T1 doubling (INVITE: until a
   *  response; others: up to T2, until a final response), for at most 64*T1. */
  private request(text: string, branch: string, method: string, dest: [string, number]): ClientTx {
    const tx: ClientTx = { branch, method, text, dest, retx: null, interval: T1, deadline: this.clock.now() + 64 * T1, final: null, ack: null };
    this.clients.set(branch, tx);
    this.send(text, dest[0], dest[1]);
    const again = (): void => {
      if (this.clock.now() + tx.interval > tx.deadline) return;
      tx.retx = this.clock.after(tx.interval, () => {
        this.send(text, dest[0], dest[1]);
        tx.interval = method === "INVITE" ? tx.interval * 2 : Math.min(tx.interval * 2, T2);
        again();
      });
    };
    again();
    return tx;
  }

  private inDialogRequest(method: string, extra: string[] = [], body = ""): ClientTx {
    const d = this.dialog;
    if (!d) throw new Error(`${method}: no dialog`);
    d.cseq++;
    const branch = this.branch();
    const text = [`${method} ${d.target} SIP/2.0`, `Via: SIP/2.0/UDP ${this.ip}:${this.sip.port};rport;branch=${branch}`, "Max-Forwards: 70",
      `From: ${d.local};tag=${d.localTag}`, `To: ${d.remote};tag=${d.remoteTag}`, `Call-ID: ${d.callId}`, `CSeq: ${d.cseq} ${method}`,
      ...extra, `Content-Length: ${Buffer.byteLength(body)}`, "", body].join("\r\n");
    return this.request(text, branch, method, hostPort(d.target));
  }

  /** Calls a URI (the unit). With sdp false the INVITE has no offer (the unit offers in its 200,
   *  the phone answers in the ACK). Returns the Call-ID. */
  call(target: string, o: { sdp?: boolean; headers?: string[]; from?: string; callId?: string } = {}): string {
    const callId = o.callId ?? `call-${this.user}-${++this.n}@${this.ip}`;
    const localTag = this.tag();
    const local = o.from ?? `<sip:${this.user}@${this.ip}>`;
    this.dialog = { callId, localTag, remoteTag: "", local, remote: `<${target}>`, target, cseq: 1, uac: true, unacked: null };
    const body = o.sdp === false ? "" : this.offer();
    const branch = this.branch();
    const text = [`INVITE ${target} SIP/2.0`, `Via: SIP/2.0/UDP ${this.ip}:${this.sip.port};rport;branch=${branch}`, "Max-Forwards: 70",
      `From: ${local};tag=${localTag}`, `To: <${target}>`, `Call-ID: ${callId}`, "CSeq: 1 INVITE", this.contact(), ...(o.headers ?? []),
      ...(body ? ["Content-Type: application/sdp"] : []), `Content-Length: ${Buffer.byteLength(body)}`, "", body].join("\r\n");
    this.request(text, branch, "INVITE", hostPort(target));
    return callId;
  }

  /** Ends the call with BYE. */
  bye(): void { this.stopMedia(); this.inDialogRequest("BYE"); }

  /** CANCELs the phone's pending INVITE (9.1). */
  cancel(): void {
    const tx = [...this.clients.values()].find((c) => c.method === "INVITE" && !c.final);
    if (!tx) throw new Error("no INVITE to cancel");
    const inv = parseSip(tx.text);
    const branch = tx.branch;
    const text = [`CANCEL ${inv.uri} SIP/2.0`, `Via: ${hdr(inv, "via")}`, "Max-Forwards: 70", `From: ${hdr(inv, "from")}`, `To: ${hdr(inv, "to")}`,
      `Call-ID: ${hdr(inv, "call-id")}`, `CSeq: ${cseqOf(inv)} CANCEL`, "Content-Length: 0", "", ""].join("\r\n");
    this.request(text, `${branch}/cancel`, "CANCEL", tx.dest);
  }

  /** A re-INVITE with a new offer: a direction (hold: sendonly or inactive; resume: sendrecv),
   *  a new RTP port (a new address for the media), extra headers (a session refresh). */
  reinvite(o: { dir?: Direction; rtpPort?: number; headers?: string[] } = {}): void {
    if (o.dir) this.dir = o.dir;
    if (o.rtpPort !== undefined && o.rtpPort !== this.rtp.port) {
      const old = this.rtp;
      this.rtp = this.net.peer(this.ip, o.rtpPort);
      this.rtp.onReceive = (d) => this.rtpIn.add(d);
      if (this.sender) this.sender.socket = this.rtp;
      old.close();
    }
    this.inDialogRequest("INVITE", [this.contact(), ...(o.headers ?? []), "Content-Type: application/sdp"], this.offer(true));
  }

  /** A digit as SIP INFO (application/dtmf-relay). */
  info(digit: string, durationMs = 160): void {
    this.inDialogRequest("INFO", ["Content-Type: application/dtmf-relay"], `Signal=${digit}\r\nDuration=${durationMs}\r\n`);
  }

  /** Digits as RFC 4733 telephone-events in the RTP stream. */
  dtmf(digits: string, durationMs = 100, gapMs = 60): void {
    if (!this.sender) throw new Error("no media");
    this.sender.dtmf(digits, durationMs, gapMs);
  }

  // ---- SDP

  private offer(changed = false): string {
    if (changed) this.sdpVersion++;
    return buildSdp({ ip: this.ip, port: this.rtp.port, pts: this.codecs, te: 101, dir: this.dir, version: this.sdpVersion });
  }

  /** Answers the unit's offer: our first codec it offers; the mirror of its direction, limited by ours. */
  private answer(offer: SdpInfo): string | null {
    const pt = this.codecs.find((c) => offer.pts.includes(c));
    if (pt === undefined) return null;
    const mirrored = MIRROR[offer.dir];
    const dir: Direction = this.dir === "sendrecv" ? mirrored : this.dir === mirrored || mirrored === "sendrecv" ? this.dir : "inactive";
    this.media = { ip: offer.ip, port: offer.port, pt, te: offer.te, dir };
    return buildSdp({ ip: this.ip, port: this.rtp.port, pts: [pt], te: offer.te, dir, version: this.sdpVersion });
  }

  /** Takes the unit's answer to our offer. */
  private takeAnswer(ans: SdpInfo): void {
    const pt = ans.pts.find((p) => p === 0 || p === 8) ?? this.codecs[0]!;
    this.media = { ip: ans.ip, port: ans.port, pt, te: ans.te, dir: this.dir };
  }

  /** Starts, redirects or pauses the RTP sender for the negotiated media. */
  private applyMedia(): void {
    const m = this.media;
    if (!m) return;
    if (!this.sender) {
      this.sender = new RtpSender(this.clock, this.rtp, { ip: m.ip, port: m.port }, m.pt, m.te,
        this.o.toneHz === undefined ? 1000 : this.o.toneHz, this.o.toneDb ?? -10, this.o.seed ?? 1);
    }
    const s = this.sender;
    s.dest = { ip: m.ip, port: m.port };
    s.pt = m.pt;
    s.te = m.te;
    if (m.dir === "sendrecv" || m.dir === "sendonly") s.start(); else s.stop();
  }

  stopMedia(): void { this.sender?.stop(); }

  // ---- receiving SIP

  private onSip(d: PeerDatagram): void {
    const text = dec.decode(d.data);
    if (/^\s*$/.test(text)) return; // keep-alive
    const m = parseSip(text);
    this.log.push({ t: d.t, dir: "in", m });
    const from = ip4str(d.srcIp);
    if (m.isRequest) this.onRequest(m, from, d.srcPort); else this.onResponse(m);
  }

  private onResponse(m: SipMessage): void {
    const branch = branchOf(m) ?? "";
    const tx = this.clients.get(m.method === "CANCEL" ? `${branch}/cancel` : branch);
    if (!tx) return;
    if (tx.method === "INVITE" || m.status >= 200) { tx.retx?.cancel(); tx.retx = null; }
    if (m.status < 200) return;
    if (tx.method !== "INVITE") { tx.final ??= m; return; }
    const d = this.dialog;
    if (m.status >= 300) {
      // ACK for a non-2xx (17.1.1.3): same branch, To from the response; again for each copy.
      tx.final ??= m;
      const inv = parseSip(tx.text);
      const ack = [`ACK ${inv.uri} SIP/2.0`, `Via: ${hdr(inv, "via")}`, "Max-Forwards: 70", `From: ${hdr(inv, "from")}`, `To: ${hdr(m, "to")}`,
        `Call-ID: ${hdr(inv, "call-id")}`, `CSeq: ${cseqOf(inv)} ACK`, "Content-Length: 0", "", ""].join("\r\n");
      this.send(ack, tx.dest[0], tx.dest[1]);
      return;
    }
    // 2xx: the dialog is confirmed; ACK it (13.2.2.4), again for every retransmission.
    if (!d || d.callId !== hdr(m, "call-id")) return;
    const first = tx.final === null;
    tx.final ??= m;
    if (first) {
      d.remoteTag = tagOf(hdr(m, "to")) ?? "";
      d.remote = (hdr(m, "to") ?? "").replace(/;\s*tag=[^;]*/i, "");
      const contact = /<([^>]+)>/.exec(hdr(m, "contact") ?? "")?.[1];
      if (contact) d.target = contact;
      let ackBody = "";
      if (m.body) {
        this.remoteSdp = parseSdp(m.body);
        const inv = parseSip(tx.text);
        if (inv.body) this.takeAnswer(this.remoteSdp);
        else ackBody = this.answer(this.remoteSdp) ?? "";
      }
      tx.ack = [`ACK ${d.target} SIP/2.0`, `Via: SIP/2.0/UDP ${this.ip}:${this.sip.port};rport;branch=${this.branch()}`, "Max-Forwards: 70",
        `From: ${d.local};tag=${d.localTag}`, `To: ${d.remote};tag=${d.remoteTag}`, `Call-ID: ${d.callId}`, `CSeq: ${cseqOf(m)} ACK`,
        ...(ackBody ? ["Content-Type: application/sdp"] : []), `Content-Length: ${Buffer.byteLength(ackBody)}`, "", ackBody].join("\r\n");
      this.applyMedia();
    }
    if (!this.withholdAck && tx.ack) this.send(tx.ack, ...hostPort(d.target));
  }

  private onRequest(m: SipMessage, ip: string, port: number): void {
    const reply = (text: string): void => this.send(text, ip, port);
    const toTag = tagOf(hdr(m, "to"));
    if (m.method === "ACK") { this.onAck(m); return; }
    if (m.method === "CANCEL") {
      const s = this.server;
      if (!s || s.branch !== branchOf(m)) { reply(respond(m, 481, "Call/Transaction Does Not Exist")); return; }
      reply(respond(m, 200, "OK", [], s.toTag));
      if (!s.final) this.finalResponse(s, respond(s.m, 487, "Request Terminated", [], s.toTag));
      return;
    }
    if (m.method === "INVITE" && !toTag) { this.onInvite(m, reply); return; }
    if (m.method === "REGISTER") {
      // the phone doubles as a plain registrar (no auth): the binding for what was asked
      const contact = (hdr(m, "contact") ?? "").replace(/;expires=\d+/i, "");
      const expires = /;expires=(\d+)/i.exec(hdr(m, "contact") ?? "")?.[1] ?? hdr(m, "expires") ?? "3600";
      reply(respond(m, 200, "OK", [`Contact: ${contact};expires=${expires}`], "reg"));
      return;
    }
    // inside a dialog: BYE, INFO, re-INVITE (a session refresh or the unit's hold)
    const d = this.dialog;
    if (!d || hdr(m, "call-id") !== d.callId) { reply(respond(m, 481, "Call/Transaction Does Not Exist")); return; }
    if (toTag !== d.localTag) {
      // another fork's dialog (script.forks): it only ever gets the unit's ACK and BYE
      reply(respond(m, (this.script.forks ?? []).includes(toTag ?? "") && m.method === "BYE" ? 200 : 481, "OK"));
      return;
    }
    if (m.method === "BYE") { reply(respond(m, 200, "OK")); this.stopMedia(); return; }
    if (m.method === "INFO") { reply(respond(m, 200, "OK")); return; }
    if (m.method === "INVITE") {
      const existing = d.unacked && d.unacked.cseq === cseqOf(m) ? d.unacked.response : null;
      if (existing) { reply(existing); return; }
      this.remoteSdp = m.body ? parseSdp(m.body) : null;
      const body = this.remoteSdp ? this.answer(this.remoteSdp) : this.offer();
      if (body === null) { reply(respond(m, 488, "Not Acceptable Here")); return; }
      const ok = respond(m, 200, "OK", [this.contact(), ...(this.script.okHeaders ?? []), "Content-Type: application/sdp"], d.localTag, body);
      reply(ok);
      this.awaitAck(d, cseqOf(m), ok, ip, port);
      this.applyMedia();
      return;
    }
    reply(respond(m, 405, "Method Not Allowed", ["Allow: INVITE, ACK, BYE, CANCEL, INFO"]));
  }

  private onAck(m: SipMessage): void {
    const d = this.dialog;
    if (d?.unacked && hdr(m, "call-id") === d.callId && tagOf(hdr(m, "to")) === d.localTag && cseqOf(m) === d.unacked.cseq) {
      d.unacked.retx?.cancel();
      d.unacked = null;
      if (m.body && this.remoteSdp === null) { this.takeAnswer(parseSdp(m.body)); this.applyMedia(); }
    }
  }

  /** Our 2xx is retransmitted until the ACK (13.3.1.4): T1 doubling up to T2, for 64*T1. */
  private awaitAck(d: Dialog, cseq: number, response: string, ip: string, port: number): void {
    const u: NonNullable<Dialog["unacked"]> = { cseq, response, retx: null };
    d.unacked = u;
    const start = this.clock.now();
    let interval = T1;
    const again = (): void => {
      if (this.clock.now() - start + interval > 64 * T1) return;
      u.retx = this.clock.after(interval, () => { if (d.unacked !== u) return; this.send(response, ip, port); interval = Math.min(2 * interval, T2); again(); });
    };
    again();
  }

  private onInvite(m: SipMessage, reply: (text: string) => void): void {
    const s0 = this.server;
    if (s0 && s0.branch === branchOf(m)) { if (s0.last) reply(s0.last); return; } // a retransmission
    const sc = this.script;
    if (sc.silent) return;
    if (sc.challenge && !this.authorized(m, sc.challenge)) {
      const h = sc.challenge === 401 ? "WWW-Authenticate" : "Proxy-Authenticate";
      const realm = this.o.auth?.realm ?? "phone.test";
      reply(respond(m, sc.challenge, sc.challenge === 401 ? "Unauthorized" : "Proxy Authentication Required",
        [`${h}: Digest realm="${realm}", nonce="nonce${++this.nonces}", qop="auth", algorithm=MD5`], this.tag()));
      return;
    }
    const s: ServerInvite = { m, branch: branchOf(m) ?? "", toTag: this.tag(), last: "", final: false, timers: [] };
    this.server = s;
    const later = (ms: number, fn: () => void): void => { s.timers.push(this.clock.after(ms, () => { if (!s.final) fn(); })); };
    const provisional = (text: string): void => { s.last = text; reply(text); };
    if (sc.trying === undefined || sc.trying === true || sc.trying === 0) provisional(respond(m, 100, "Trying"));
    else if (typeof sc.trying === "number") later(sc.trying, () => provisional(respond(m, 100, "Trying")));
    if (sc.redirect) { this.finalResponse(s, respond(m, 302, "Moved Temporarily", [`Contact: <${sc.redirect}>`], s.toTag)); return; }
    const localTag = s.toTag;
    const ringAfter = sc.ringAfterMs === undefined ? 0 : sc.ringAfterMs;
    if (ringAfter !== null) later(ringAfter, () => provisional(respond(m, 180, "Ringing", [this.contact()], localTag)));
    if (sc.reject) {
      const r = sc.reject;
      later(r.afterMs ?? 0, () => this.finalResponse(s, respond(m, r.code, r.reason, r.headers ?? [], localTag)));
      return;
    }
    const offer = m.body ? parseSdp(m.body) : null;
    this.remoteSdp = offer;
    const dialog: Dialog = { callId: hdr(m, "call-id") ?? "", localTag, remoteTag: tagOf(hdr(m, "from")) ?? "",
      local: hdr(m, "to") ?? "", remote: (hdr(m, "from") ?? "").replace(/;\s*tag=[^;]*/i, ""),
      target: /<([^>]+)>/.exec(hdr(m, "contact") ?? "")?.[1] ?? "", cseq: 0, uac: false, unacked: null };
    const body = offer ? this.answer(offer) : this.offer();
    if (body === null) { this.finalResponse(s, respond(m, 488, "Not Acceptable Here", [], localTag)); return; }
    if (sc.earlyAfterMs !== undefined && sc.earlyAfterMs !== null) {
      later(sc.earlyAfterMs, () => {
        provisional(respond(m, 183, "Session Progress", [this.contact(), "Content-Type: application/sdp"], localTag, body));
        this.dialog = dialog;
        this.applyMedia();
      });
    }
    const answerAfter = sc.answerAfterMs === undefined ? 1000 : sc.answerAfterMs;
    if (answerAfter === null) return;
    later(answerAfter, () => {
      this.dialog = dialog;
      const ok = respond(m, 200, "OK", [this.contact(), ...(sc.okHeaders ?? []), "Content-Type: application/sdp"], localTag, body);
      s.last = ok;
      s.final = true;
      s.timers.forEach((t) => t.cancel());
      reply(ok);
      this.awaitAck(dialog, cseqOf(m), ok, ...hostPort(`sip:x@${ipOf(m)}`));
      this.applyMedia();
      for (const tag of sc.forks ?? []) {
        reply(respond(m, 200, "OK", [`Contact: <sip:${this.user}-${tag}@${this.ip}:${this.sip.port}>`, "Content-Type: application/sdp"], tag, body));
      }
    });
  }

  private finalResponse(s: ServerInvite, text: string): void {
    s.final = true;
    s.last = text;
    s.timers.forEach((t) => t.cancel());
    const [ip, port] = hostPort(`sip:x@${ipOf(s.m)}`);
    this.send(text, ip, port);
  }

  /** Re-sends the last response to the current INVITE (a retransmission the unit must absorb). */
  resendLast(): void {
    const s = this.server;
    if (!s || !s.last) throw new Error("nothing to resend");
    const [ip, port] = hostPort(`sip:x@${ipOf(s.m)}`);
    this.send(s.last, ip, port);
  }

  private authorized(m: SipMessage, code: 401 | 407): boolean {
    const v = hdr(m, code === 401 ? "authorization" : "proxy-authorization");
    const a = this.o.auth;
    if (!v || !a) return false;
    const p = parseDigest(v);
    return p["username"] === a.user && p["realm"] === (a.realm ?? "phone.test") && digestResponse(p, a.password, "INVITE") === p["response"];
  }
}

/** The host and port of a SIP URI (port 5060 when absent). */
export function hostPort(uri: string): [string, number] {
  const r = /^sips?:(?:[^@]*@)?([^:;>?]+)(?::(\d+))?/.exec(uri);
  if (!r) throw new Error(`not a SIP URI: ${uri}`);
  return [r[1]!, r[2] ? Number(r[2]) : 5060];
}

/** Where responses to m go: the top Via's received/rport, else its sent-by (18.2.2). */
function ipOf(m: SipMessage): string {
  const via = hdr(m, "via") ?? "";
  const sentBy = /^SIP\/2\.0\/UDP\s+([^;\s]+)/i.exec(via)?.[1] ?? "";
  const [host, port] = sentBy.split(":");
  const rport = param(via, "rport");
  return `${param(via, "received") ?? host}:${rport && /^\d+$/.test(rport) ? rport : port ?? "5060"}`;
}

export { hdr, hdrs, tagOf, param, branchOf, cseqOf, parseSip, ip4 };
