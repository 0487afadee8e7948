// The media session of the current call over the HAL: RTP on an even UDP port from
// RTP_PORT_MIN, RTCP on the next (RFC 3550 11; no rtcp-mux), the audio device pacing the 20 ms
// frames, the RTCP timer, and tones to the speaker also outside calls. The logic itself is in
// stream.ts; this file only moves bytes between it and the HAL. One session at a time.
//
// Use from the call layer: open() when writing an SDP offer or answer (the local port), start()
// once the peer's SDP is known, update() on a re-INVITE, stop() at the end of the call; poll()
// from every firmware tick (it returns how soon it wants the next one).
import * as hal from "../hal";
import { now, Timer } from "../sys/clock";
import * as log from "../sys/log";
import * as random from "../sys/random";
import { Json } from "../sys/json";
import { RTP_PORT_MIN, RTP_PORT_PAIRS, RTP_PACKET_MAX, RTCP_PACKET_MAX, CALL_TICK_MS } from "../config";
import { MediaStream, TX_MAX, rtcpDelay } from "./stream";
import { SRC_INFO, pushDigit, takeDigit as nextDigit, clearDigits } from "./dtmf";
import * as tone from "./tone";
import { T } from "../sys/text";

const FRAME_BYTES: i32 = 320;
const RX_BUDGET: i32 = 32;     // RTP datagrams per poll (8 RTCP), so a flood cannot hold the tick
const FRAME_BUDGET: i32 = 5;   // audio frames per poll (catching up after a late tick)

/** The call's media; its statistics stay readable after stop() until the next start(). */
export const stream = new MediaStream();

const rxBuf = memory.data(RTP_PACKET_MAX); // RTP and RTCP (RTCP_PACKET_MAX <= RTP_PACKET_MAX)
const fromBuf = memory.data(8);
const txBuf = memory.data(TX_MAX);
const mic = memory.data(FRAME_BYTES);
const spk = memory.data(FRAME_BYTES);

let rtpSock: i32 = -1;
let rtcpSock: i32 = -1;
let port: i32 = 0;
let cursor: i32 = -1;
let running = false;
let toneOnly = false;
let audioOn = false;
let paced = false;        // no audio device: frames paced by the clock instead
let nextFrameMs: i64 = 0;

const rtcpTimer = new Timer((t: Timer): void => {
  if (!running) return;
  sendRtcp(false);
  t.start(rtcpDelay(false));
});

/** Opens the RTP/RTCP socket pair: at localPort (even, > 0), or else at the next free even
 *  port from RTP_PORT_MIN (starting at a random pair so consecutive calls differ). Returns the
 *  RTP port (RTCP is port + 1); an open pair is reused. Fails with E_INVAL (odd port), the
 *  HAL's error (E_NETDOWN, E_NOMEM), or E_ADDRINUSE when no pair is free. */
export function open(localPort: i32): i32 {
  if (rtpSock >= 0) return port;
  if (localPort > 0) return (localPort & 1) != 0 || localPort > 65534 ? hal.E_INVAL : openPair(localPort);
  if (cursor < 0) cursor = <i32>(random.u32() % RTP_PORT_PAIRS);
  for (let i = 0; i < RTP_PORT_PAIRS; i++) {
    const r = openPair(RTP_PORT_MIN + 2 * cursor);
    cursor = (cursor + 1) % RTP_PORT_PAIRS;
    if (r != hal.E_ADDRINUSE) return r;
  }
  return hal.E_ADDRINUSE;
}

function openPair(p: i32): i32 {
  const a = hal.net_udp_open(p);
  if (a < 0) return a;
  const b = hal.net_udp_open(p + 1);
  if (b < 0) { hal.net_udp_close(a); return b; }
  rtpSock = a; rtcpSock = b; port = p;
  return p;
}

/** Starts the call's media: sockets (see open()), a fresh stream towards remoteIp:remotePort
 *  (RTCP to remotePort + 1) with payload type pt of G.711 law (0 = μ, 1 = A), telephone-events
 *  at dtmfPt (-1 = none), direction DIR_*; the audio device, the RTCP timer; received digits of
 *  an earlier call are forgotten. A running session restarts as a new stream on the same
 *  sockets. Returns the local RTP port, or open()'s error (nothing started). Without an audio
 *  device the frames are paced by the clock with a silent microphone. */
export function start(localPort: i32, remoteIp: u32, remotePort: i32, pt: i32, law: i32, dtmfPt: i32, direction: i32): i32 {
  const p = open(localPort);
  if (p < 0) { log.warn().str(T("media: no port ")).int(p).end(); return p; }
  const t = now();
  stream.start(pt, law, dtmfPt, direction, remoteIp, remotePort, t);
  clearDigits();
  startAudio(t);
  running = true;
  toneOnly = false;
  rtcpTimer.start(rtcpDelay(true));
  log.info().str(T("media: port ")).dec(p).str(T(" to ")).ip4(remoteIp).byte(58).dec(remotePort)
    .str(T(" pt ")).dec(pt).str(T(" dir ")).dec(direction).end();
  return p;
}

/** A re-INVITE changed the session: hold/resume (direction), address, payload types or law. */
export function update(remoteIp: u32, remotePort: i32, pt: i32, law: i32, dtmfPt: i32, direction: i32): void {
  if (running) stream.update(pt, law, dtmfPt, direction, remoteIp, remotePort);
}

/** Ends the call's media: a last RTCP compound with BYE, sockets closed, audio stopped (unless
 *  a tone is still playing). Harmless when not running (closes sockets left by open()). */
export function stop(): void {
  if (running) {
    sendRtcp(true);
    rtcpTimer.cancel();
    running = false;
    if (tone.active() && audioOn) toneOnly = true; else stopAudio();
  }
  if (rtpSock >= 0) { hal.net_udp_close(rtpSock); hal.net_udp_close(rtcpSock); }
  rtpSock = -1; rtcpSock = -1; port = 0;
}

/** True between start() and stop(). */
export function active(): bool { return running; }
/** The local RTP port, 0 when closed. */
export function localPort(): i32 { return port; }

/** Queues a digit to send as RFC 4733 events; false when it cannot be sent (no call, no
 *  telephone-event payload type, not sending, queue full, not a DTMF digit). */
export function sendDigit(d: i32): bool { return running && stream.sendDigit(d); }

/** The oldest received digit as (source << 8) | ASCII digit (source: SRC_RFC4733, SRC_INFO),
 *  or -1 when none. */
export function takeDigit(): i32 { return nextDigit(); }

/** Queues a digit received in a SIP INFO (the SIP layer parses the body with dtmf.ts). */
export function pushInfoDigit(d: i32): bool { return pushDigit(d, SRC_INFO); }

/** Plays a tone (TONE_* of tone.ts) on the speaker, during a call or alone; TONE_NONE stops.
 *  Returns false when there is no audio device to play it on. */
export function playTone(kind: i32): bool {
  tone.start(kind);
  if (running || toneOnly || !tone.active()) return true;
  startAudio(now());
  toneOnly = audioOn;
  if (!audioOn) tone.start(tone.TONE_NONE);
  return audioOn;
}

/** Services the session: received datagrams, due audio frames, DTMF timeouts. Returns the
 *  milliseconds until it wants to run again, or -1 when idle. */
export function poll(): i32 {
  if (!running && !toneOnly) return -1;
  const t = now();
  if (running) {
    drain(false, t);
    drain(true, t);
    stream.tick(t);
  }
  for (let f = 0; f < FRAME_BUDGET; f++) {
    if (audioOn) {
      const r = hal.audio_read(mic, FRAME_BYTES);
      if (r == hal.E_AGAIN) break;
      if (r < FRAME_BYTES) {
        log.warn().str(T("media: audio read ")).int(r).end();
        stopAudio();
        paced = true;
        nextFrameMs = t;
        break;
      }
    } else {
      if (!paced || t < nextFrameMs) break;
      if (t - nextFrameMs > 100) nextFrameMs = t; // far behind: do not replay the backlog
      memory.fill(mic, 0, FRAME_BYTES);
      nextFrameMs += CALL_TICK_MS;
    }
    frame(t);
    if (!running && !toneOnly) break;
  }
  if (audioOn) return CALL_TICK_MS;
  if (!running) paced = false;
  if (!paced) return -1;
  const wait = nextFrameMs - t;
  return wait > 0 ? <i32>wait : 0;
}

/** Writes the session's statistics into an event or status object (field names in
 *  docs/media.md). */
export function writeStats(j: Json): Json {
  const s = stream;
  return j.num(T("rtp_sent"), s.sentPackets).num(T("rtp_received"), s.rxPackets).num(T("lost"), s.lost)
    .num(T("late"), s.jb.late).num(T("jitter_ms"), s.jitterMs).num(T("delay_ms"), s.jb.delayMs())
    .num(T("concealed"), s.concealedFrames).num(T("rtt_ms"), s.rtcp.rttMs);
}

// ---- internals

function startAudio(t: i64): void {
  const r = hal.audio_start();
  audioOn = r >= 0;
  paced = !audioOn;
  nextFrameMs = t;
  if (!audioOn) log.warn().str(T("media: no audio (")).int(r).byte(41).end();
}

function stopAudio(): void {
  if (audioOn) hal.audio_stop();
  audioOn = false;
  paced = false;
  toneOnly = false;
}

/** Received RTP (or RTCP) datagrams into the stream, at most RX_BUDGET (8). */
function drain(rtcp: bool, t: i64): void {
  const max = rtcp ? RTCP_PACKET_MAX : RTP_PACKET_MAX;
  const budget = rtcp ? 8 : RX_BUDGET;
  for (let i = 0; i < budget; i++) {
    let n = hal.net_udp_recv(rtcp ? rtcpSock : rtpSock, rxBuf, max, fromBuf, 6);
    if (n < 0) break;
    if (n > max) n = -1; // truncated: refused by the checks
    const ip = bswap<u32>(load<u32>(fromBuf));
    const port = (<i32>load<u8>(fromBuf, 4) << 8) | <i32>load<u8>(fromBuf, 5);
    if (rtcp) stream.receiveRtcp(rxBuf, n, ip, port, t);
    else stream.receiveRtp(rxBuf, n, ip, port, t);
  }
}

/** One 20 ms frame: send the microphone, play the speaker (call audio and tone). */
function frame(t: i64): void {
  if (running) {
    const n = stream.sendFrame(mic, txBuf, t);
    if (n > 0 && stream.sendPort > 0) hal.net_udp_send(rtpSock, stream.sendIp, stream.sendPort, txBuf, n);
    stream.playFrame(spk, t);
  } else if (!tone.active()) { stopAudio(); return; } // the tone alone has ended
  tone.render(spk, running);
  if (audioOn) hal.audio_write(spk, FRAME_BYTES);
}

function sendRtcp(bye: bool): void {
  const n = stream.buildRtcp(now(), bye);
  if (stream.rtcpPort > 0) hal.net_udp_send(rtcpSock, stream.rtcpIp, stream.rtcpPort, stream.rtcpBuf, n);
}
