// The call (RFC 3261 13-15, RFC 3264, RFC 4028): one at a time. Outgoing, the unit rings up to
// MAX_LEGS targets at once, one INVITE dialog each (a Leg): the first to answer with a 2xx wins,
// the others are cancelled (9.1), and a second 2xx (a fork, or a leg that answered anyway) is
// acknowledged and ended with BYE (13.2.2.4). 401/407 are answered once per challenge, 3xx are
// followed up to MAX_REDIRECTS times, 183 with SDP plays early media. Incoming, an INVITE is
// answered at once with 200 (offer in the INVITE: answer in the 200; none: offer in the 200,
// answer in the ACK), the 200 retransmitted until the ACK (13.3.1.4). BYE both ways, re-INVITE
// (hold/resume, target refresh), INFO with DTMF, session timers when the peer wants them
// (RFC 4028: refresh with re-INVITE when we are the refresher, BYE when the peer's refresh
// never comes). The application (app/intercom.ts) decides who may call and what happens.
import * as hal from "../hal";
import * as log from "../sys/log";
import * as event from "../sys/event";
import * as random from "../sys/random";
import { Timer, now } from "../sys/clock";
import { Writer, eqNoCase, eqBytes, indexOf, parseIp4 } from "../sys/bytes";
import { T, Text } from "../sys/text";
import { Json } from "../sys/json";
import * as settings from "../console/settings";
import { MAX_LEGS, TXN_BUF } from "../config";
import * as transport from "./transport";
import * as transaction from "./transaction";
import * as resolve from "./resolve";
import * as account from "./account";
import * as ua from "./ua";
import { buildCancel } from "./ack";
import { Txn, ICT, NICT, TU_PROVISIONAL, TU_FINAL, TU_TIMEOUT, TU_TRANSPORT, TU_ACK, TU_TERMINATED, clientKey, abandon, T1, T2 } from "./txn";
import { SipMsg, M_INVITE, M_ACK, M_BYE, M_INFO, H_CONTACT, H_SESSION_EXPIRES, H_SUPPORTED, H_REQUIRE } from "./msg";
import * as build from "./build";
import { DigestClient, Challenge, findChallenge, D_OK } from "./digest";
import { parseUri, SipUri } from "./uri";
import { Leg, LEG_BUFS, fromInvite, fromResponse, matchesRequest, sameRemoteTag, beginRequest, takeTarget, lastBranch, lastBranchLen, ROUTES_CAP } from "./dialog";
import { Params } from "./params";
import { Session as Sdp, SDP_OK } from "../sdp/session";
import { parse as parseSdp } from "../sdp/parse";
import { buildOffer, processAnswer } from "../sdp/offer";
import { answerOffer } from "../sdp/answer";
import { LocalMedia, MediaParams } from "../sdp/params";
import { SdpOrigin } from "../sdp/origin";
import { prefFromSetting } from "../sdp/codec";
import * as media from "../media/session";
import { onEnd, onAnswer } from "../app/intercom";
import { TONE_NONE, TONE_RINGBACK, TONE_BUSY, TONE_ERROR } from "../media/tone";
import { parseDtmfRelay, parseDtmfBody } from "../media/dtmf";

// Call states (what events and status say)
export const C_IDLE: i32 = 0;
export const C_CALLING: i32 = 1;  // INVITE(s) sent, nothing back yet
export const C_RINGING: i32 = 2;  // a 180 (or 183 without SDP)
export const C_EARLY: i32 = 3;    // early media (183 with SDP)
export const C_ACTIVE: i32 = 4;
export const C_ENDING: i32 = 5;   // CANCEL or BYE sent, waiting for the other side
const STATE_NAMES: StaticArray<Text> = [T("idle"), T("calling"), T("ringing"), T("early"), T("active"), T("ending")];

// Leg states
const L_FREE: i32 = 0;
const L_RESOLVING: i32 = 1;
const L_TRYING: i32 = 2;     // INVITE sent, no provisional yet (CANCEL must wait, 9.1)
const L_PROCEEDING: i32 = 3; // provisional received
const L_UP: i32 = 4;         // dialog confirmed (2xx)
const L_DONE: i32 = 5;

const MAX_REDIRECTS: i32 = 3;
const URI_CAP: i32 = 256;

/** A leg: its dialog (until its 2xx, target is the Request-URI, remote "<Request-URI>" and the
 *  route set the outbound proxy's: the INVITE is written as a request of this dialog) and its
 *  INVITE. */
class Out extends Leg {
  index: i32 = 0;
  state: i32 = L_FREE;
  txn: Txn | null = null;
  gen: i32 = 0;
  cseq: u32 = 0;
  auth: i32 = 0;
  redirects: i32 = 0;
  cancel: bool = false;
  cancelSent: bool = false;
}

// The legs and a scratch dialog (ackAndBye), each its buffers then its object, in static memory
// (zero-filled: every field starts at 0, as its initializer says).
const LEG_SIZE: usize = LEG_BUFS + ((offsetof<Out>() + 7) & ~7);
const LEGS = memory.data(<i32>(LEG_SIZE * (MAX_LEGS + 1)), 8);
/** Leg i (MAX_LEGS: the scratch dialog). */
// @ts-ignore: decorator
@inline function leg(i: i32): Out { return changetype<Out>(LEGS + LEG_BUFS + <usize>i * LEG_SIZE); }

export let state: i32 = C_IDLE;
export let outgoing: bool = false;
/** Whether DTMF in this call may open the door (decided by the application at the start). */
export let mayOpen: bool = false;
let callNo: i32 = 0;
let win: i32 = -1;              // the leg that answered (incoming calls use leg 0)
let startedAt: i64 = 0;
let answeredAt: i64 = 0;
let endCode: i32 = 0;
let endReason: Text = 0;
let inTxn: Txn | null = null;   // incoming INVITE's server transaction while unanswered or unacknowledged
let inGen: i32 = 0;
let ackWait: bool = false;      // our 2xx is not acknowledged yet
let ackOffer: bool = false;     // our 2xx carried the offer: the answer comes in the ACK
let retxInterval: i64 = T1;
let okSentAt: i64 = 0;          // when our 2xx (to the INVITE or a re-INVITE) was first sent
let seInterval: i32 = 0;        // session interval (s), 0 = no session timer
let seRefresher: bool = false;  // we refresh
let timerRequired = false;

const digest = new DigestClient();
const challenge = new Challenge();
const sdp = new Sdp();
// (in static memory: init() sets what a constructor would; every other field starts at 0)
const local = changetype<LocalMedia>(memory.data(<i32>offsetof<LocalMedia>(), 8));
const params = changetype<MediaParams>(memory.data(<i32>offsetof<MediaParams>(), 8));
const origin = changetype<SdpOrigin>(memory.data(<i32>offsetof<SdpOrigin>(), 8));
const uri = new SipUri();
const prm = changetype<Params>(memory.data(<i32>offsetof<Params>(), 8)); // (all fields start at 0)
const OFFER_CAP: i32 = 600;
const offer = memory.data(OFFER_CAP);  // our current SDP (offer or answer)
let offerLen: i32 = 0;
const w = new Writer(0, 0);
/** The module's writer over [base, base+cap), emptied. */
function at(base: usize, cap: i32): Writer { w.base = base; w.cap = cap; return w.reset(); }
const TAG_CAP: i32 = 24;
const tagBuf = memory.data(TAG_CAP);
const peerBuf = memory.data(URI_CAP);
let peerLen: i32 = 0;
const ackBuf = memory.data(TXN_BUF);
const INVITE_TEXT = memory.data<u8>([73, 78, 86, 73, 84, 69]);
const ALLOW: u32 = (1 << M_INVITE) | (1 << M_ACK) | (1 << M_BYE) | (1 << 4) | (1 << 5) | (1 << M_INFO);

// The timers, in static memory (zero-filled as a new Timer is; init() attaches their functions).
const TIMER_SIZE: usize = (offsetof<Timer>() + 7) & ~7;
const TIMERS = memory.data(<i32>(TIMER_SIZE * 5), 8);
const ringTimer = changetype<Timer>(TIMERS);
const maxTimer = changetype<Timer>(TIMERS + TIMER_SIZE);
const retxTimer = changetype<Timer>(TIMERS + 2 * TIMER_SIZE);
const sessionTimer = changetype<Timer>(TIMERS + 3 * TIMER_SIZE);
const legTimer = changetype<Timer>(TIMERS + 4 * TIMER_SIZE);

// The application hears of a call's end (it plays a tone, resets LEDs) and answer directly:
// app/intercom.ts is always linked with this module.

// ---- comma-separated lists (button1.call, answer.allow): items without the spaces around them

let listP: usize = 0, listN = 0, listAt = 0;
/** The current item of the list being walked. */
export let itemP: usize = 0;
export let itemN: i32 = 0;
/** Starts walking the list [p, p+n); nextItem() then gives the non-empty items. */
export function items(p: usize, n: i32): void { listP = p; listN = n; listAt = 0; }
export function nextItem(): bool {
  const p = listP, n = listN;
  while (listAt < n) {
    let e = listAt;
    while (e < n && load<u8>(p + <usize>e) != 44) e++;
    let s = listAt, t = e;
    while (s < t && load<u8>(p + <usize>s) == 32) s++;
    while (t > s && load<u8>(p + <usize>(t - 1)) == 32) t--;
    listAt = e + 1;
    if (t > s) { itemP = p + <usize>s; itemN = t - s; return true; }
  }
  return false;
}

// ---- events and bookkeeping

/** The `call` event so far: id, state, direction, peer. */
function callEvent(name: Text): Json {
  return event.begin(T("call")).num(T("id"), callNo).str(T("state"), name)
    .str(T("direction"), outgoing ? T("out") : T("in")).bytes(T("peer"), peerBuf, peerLen);
}

/** The `ended` event so far. */
function ended(reason: Text, code: i32): Json { return callEvent(T("ended")).str(T("reason"), reason).num(T("code"), code); }

function setState(s: i32): void {
  if (s == state) return;
  state = s;
  callEvent(STATE_NAMES[s]).end();
}

function begin(out: bool): void {
  callNo++;
  outgoing = out;
  win = -1;
  startedAt = now();
  answeredAt = 0;
  endCode = 0;
  endReason = 0;
  ackWait = false;
  ackOffer = false;
  seInterval = 0;
  offerLen = 0;
  inTxn = null;
  origin.start((<u64>random.u32() << 20) | <u64>(random.u32() & 0xfffff));
  local.pref = prefFromSetting(settings.valuePtr(settings.K_CALL_CODECS), settings.valueLen(settings.K_CALL_CODECS));
  local.dir = 3;
  for (let i = 0; i < MAX_LEGS; i++) { const o = leg(i); o.index = i; o.state = L_FREE; o.clear(); o.txn = null; }
}

/** Ends the call: media stopped, timers cancelled, the `ended` event with reason and statistics. */
function finish(code: i32, reason: Text): void {
  if (state == C_IDLE) return;
  if (endReason == 0) { endCode = code; endReason = reason; }
  ringTimer.cancel(); maxTimer.cancel(); retxTimer.cancel(); sessionTimer.cancel(); legTimer.cancel();
  media.stop();
  if (answeredAt == 0) media.playTone(TONE_NONE); // the ringback of a call that never connected
  state = C_IDLE;
  const e = ended(endReason, endCode).num(T("duration_ms"), answeredAt > 0 ? now() - answeredAt : 0);
  media.writeStats(e.obj(T("stats"))).close();
  e.end();
  log.info().str(T("call ended: ")).str(endReason).end();
  onEnd(endCode);
}

function setPeer(p: usize, n: i32): void {
  peerLen = n < URI_CAP ? n : URI_CAP;
  memory.copy(peerBuf, p, <usize>peerLen);
}

/** True while a call is under way (the unit answers other INVITEs with 486). */
export function busy(): bool { return state != C_IDLE; }

// ---- requests and responses

const F_CONTACT = 1, F_ALLOW = 2, F_SUPPORTED = 4, F_SE = 8, F_UA = 16, F_SERVER = 32, F_AUTH = 64, F_BODY = 128;
const F_OK = F_CONTACT | F_ALLOW | F_SUPPORTED | F_SERVER | F_BODY;

/** The headers after the start of a request or response, in this order, as `f` asks, then the
 *  body (our SDP) or none. */
function headers(w: Writer, lip: u32, f: i32, l: Leg): void {
  if (f & F_CONTACT) {
    // Contact: <sip:user@ip:port>
    account.writeUser(w.str(T("Contact: <sip:")), settings.valuePtr(settings.K_SIP_USER), settings.valueLen(settings.K_SIP_USER))
      .byte(64).ip4(lip).byte(58).dec(<u64>transport.localPort()).byte(62).crlf();
  }
  if (f & F_ALLOW) build.allow(w, ALLOW);
  if (f & F_SUPPORTED) build.supported(w);
  const resp = (f & F_SERVER) != 0;
  if (f & F_SE) {
    // a request: we send it and we refresh, so refresher=uac (RFC 4028 7.4)
    w.str(T("Session-Expires: ")).dec(<u64>seInterval).str(resp && seRefresher ? T(";refresher=uas") : T(";refresher=uac")).crlf();
    if (!resp) w.str(T("Supported: timer")).crlf();
    else if (timerRequired) w.str(T("Require: timer")).crlf();
  }
  if (f & F_UA) build.userAgent(w);
  if (resp) build.server(w);
  if (f & F_AUTH) {
    digest.write(w, INVITE_TEXT, 6, l.target, l.targetLen, account.authUser(), account.authUserLen(),
      settings.valuePtr(settings.K_SIP_PASSWORD), settings.valueLen(settings.K_SIP_PASSWORD));
  }
  if (f & F_BODY) { w.str(T("Content-Type: application/sdp")).crlf(); build.end(w, offer, offerLen); }
  else build.end(w);
}

/**
 * Writes request `method` of dialog l with CSeq number cseq and the headers f: into client
 * transaction t (not started yet), or (t null: an ACK) sent at once. False when it did not fit.
 */
function request(t: Txn | null, l: Leg, method: i32, cseq: u32, f: i32): bool {
  if (t === null) at(ackBuf, TXN_BUF); else at(t.buf, t.cap);
  const lip = hal.net_local_ip(l.ip);
  beginRequest(w, l, method, cseq, lip);
  headers(w, lip, f, l);
  if (!w.ok) return false;
  if (t === null) transport.send(l.ip, l.port, w.base, w.len);
  else {
    t.len = w.len;
    t.key = clientKey(lastBranch(), lastBranchLen());
    t.ip = l.ip;
    t.port = l.port;
  }
  return true;
}

/** Answers request m (transaction t) of dialog l. */
function respond(t: Txn, m: SipMsg, code: i32, l: Leg, extra: ((w: Writer) => void) | null): void {
  ua.respond(t, m, code, extra, l.localTag, l.localTagLen);
}

function okExtra(w: Writer): void { headers(w, local.ip, seInterval > 0 ? F_OK | F_SE : F_OK, leg(MAX_LEGS)); }

// ---- outgoing

/**
 * Calls the targets (comma-separated SIP URIs, user parts or numbers; a user part is called at
 * sip.domain). Returns 0 when the call started, or a reason it could not.
 */
export function dial(p: usize, n: i32, open: bool): Text {
  if (state != C_IDLE) return T("a call is already in progress");
  begin(true);
  mayOpen = open;
  let count = 0;
  items(p, n);
  while (count < MAX_LEGS && nextItem()) if (setTarget(leg(count), itemP, itemN)) count++;
  if (count == 0) { state = C_IDLE; return T("no valid target (set sip.domain to call numbers)"); }
  const l0 = leg(0);
  setPeer(l0.target, l0.targetLen);
  setState(C_CALLING);
  ringTimer.start(<i64>settings.intValue(settings.K_CALL_RING_TIMEOUT) * 1000);
  for (let k = 0; k < count; k++) launch(leg(k));
  return 0;
}

/** Sets a leg's Request-URI from a target: a SIP URI as written, or user@sip.domain. */
function setTarget(o: Out, p: usize, n: i32): bool {
  const l = o;
  at(l.target, URI_CAP);
  if (n > 4 && (eqNoCase(p, 4, T("sip:")) || eqNoCase(p, 5, T("sips:")))) w.bytes(p, n);
  else {
    if (account.domainHostLen == 0) return false;
    account.writeUser(w.str(T("sip:")), p, n).byte(64).bytes(settings.valuePtr(settings.K_SIP_DOMAIN), settings.valueLen(settings.K_SIP_DOMAIN));
  }
  if (!w.ok || !parseUri(l.target, 0, w.len, uri)) return false;
  l.targetLen = w.len;
  o.state = L_RESOLVING;
  o.redirects = 0;
  o.auth = 0; // each call answers its own challenges (the count was never reset: a third call that was challenged failed)
  return true;
}

/** Sends (or re-sends, after a challenge or a redirect) the leg's INVITE. Out-of-dialog
 *  requests go to the outbound proxy, else the registrar for the domain's own users, else
 *  the URI's host. */
function launch(o: Out): void {
  const l = o;
  parseUri(l.target, 0, l.targetLen, uri);
  let port = uri.port > 0 ? uri.port : 5060;
  let r: i32;
  if (account.hasProxy() || account.domainHostLen > 0 && uri.host.len == account.domainHostLen &&
      eqBytes(l.target + <usize>uri.host.off, uri.host.len, account.domainHost, account.domainHostLen)) {
    port = account.hopPort();
    r = resolve.lookup(account.hopHost(), account.hopHostLen());
  } else r = resolve.lookup(l.target + <usize>uri.host.off, uri.host.len);
  if (r == resolve.R_PENDING) { o.state = L_RESOLVING; legTimer.start(100); return; }
  if (r == resolve.R_FAILED) { legFailed(o, 0, T("cannot resolve the target")); return; }
  const ip = resolve.lastIp;
  const lip = hal.net_local_ip(ip);
  if (lip == 0) { legFailed(o, 0, T("network down")); return; }
  const t = transaction.alloc(ICT, M_INVITE, 0, onInviteTxn, o.index);
  if (t === null) { legFailed(o, 503, T("too busy")); return; }
  local.ip = lip;
  if (offerLen == 0) {
    const rtp = media.open(rtpPort());
    if (rtp < 0) { legFailed(o, 0, T("no RTP port")); return; }
    local.port = rtp;
    buildOffer(local, origin, at(offer, OFFER_CAP));
    offerLen = w.ok ? w.len : 0;
  }
  if (l.callIdLen == 0) {
    l.callIdLen = build.newCallId(at(l.callId, 64)).len;
    l.localTagLen = build.newTag(at(l.localTag, 32)).len;
    at(l.local, 256);
    const d = settings.valueLen(settings.K_SIP_DISPLAY);
    if (d > 0) build.quoted(w, settings.valuePtr(settings.K_SIP_DISPLAY), d).byte(32);
    w.byte(60);
    if (account.domainHostLen > 0) account.writeAor(w);
    else account.writeUser(w.str(T("sip:")), settings.valuePtr(settings.K_SIP_USER), settings.valueLen(settings.K_SIP_USER)).byte(64).ip4(lip);
    w.str(T(">;tag=")).bytes(l.localTag, l.localTagLen);
    l.localLen = w.ok ? w.len : 0;
    o.cseq = 0;
  }
  l.remoteLen = at(l.remote, URI_CAP + 2).byte(60).bytes(l.target, l.targetLen).byte(62).len;
  l.routesLen = account.writeProxyRoute(at(l.routes, ROUTES_CAP)).len;
  l.ip = ip;
  l.port = port;
  if (!request(t, l, M_INVITE, ++o.cseq, F_CONTACT | F_ALLOW | F_UA | F_BODY | (o.auth > 0 && digest.ready ? F_AUTH : 0)) || offerLen == 0) {
    legFailed(o, 0, T("INVITE too large"));
    return;
  }
  o.txn = t;
  o.gen = t.gen;
  o.state = L_TRYING;
  o.cancel = false;
  o.cancelSent = false;
  transaction.startClient(t);
}

function rtpPort(): i32 { return settings.intValue(settings.K_RTP_PORT); }

function onLegTimer(t: Timer): void {
  for (let i = 0; i < MAX_LEGS; i++) {
    const o = leg(i);
    if (o.state == L_RESOLVING && state != C_IDLE && state != C_ENDING) launch(o);
  }
}

/** The INVITE client transaction of a leg reports. */
function onInviteTxn(t: Txn, ev: i32, m: SipMsg | null): void {
  const o = leg(t.owner);
  if (o.txn !== t || o.gen != t.gen) return;
  if (ev == TU_TERMINATED) { o.txn = null; return; }
  if (ev == TU_TIMEOUT || ev == TU_TRANSPORT) { legFailed(o, 408, T("no answer from the network")); return; }
  if (m === null) return;
  const code = m.status;
  if (ev == TU_PROVISIONAL) {
    o.state = L_PROCEEDING;
    if (o.cancel) { sendCancel(o); return; } // a 100 is a provisional response too (9.1)
    if (code == 100) return;
    if (state == C_CALLING) { setState(C_RINGING); media.playTone(TONE_RINGBACK); } // the far end rings now
    if (code == 183 && m.body.len > 0 && state != C_EARLY && answer(m)) {
      media.playTone(TONE_NONE);
      startMedia();
      setState(C_EARLY);
    }
    return;
  }
  if (code < 300) { answered(o, m); return; }
  const more = !o.cancel && state != C_ENDING;
  if ((code == 401 || code == 407) && o.auth < 2 && more) {
    if (findChallenge(m, code == 407, challenge) == D_OK && digest.accept(m.base, challenge, code == 407) == D_OK &&
        (o.auth == 0 || challenge.stale)) {
      o.auth++;
      launch(o);
      return;
    }
  }
  const n = m.contactUri.len;
  if (code < 400 && o.redirects < MAX_REDIRECTS && more && n > 0 && n <= URI_CAP) {
    o.redirects++;
    const l = o;
    memory.copy(l.target, m.ptr(m.contactUri), <usize>n);
    l.targetLen = n;
    o.auth = 0;
    l.callIdLen = 0; // a new call to the new target
    launch(o);
    return;
  }
  legFailed(o, code, o.cancel ? T("cancelled") : code == 486 || code == 600 ? T("busy") :
    code == 603 ? T("declined") : code == 404 ? T("not found") : T("rejected"));
}

/** A leg gave up: when no leg is left, the call ends with its code. */
function legFailed(o: Out, code: i32, reason: Text): void {
  o.state = L_DONE;
  if (state == C_IDLE || state == C_ACTIVE) return;
  for (let i = 0; i < MAX_LEGS; i++) {
    const s = leg(i).state;
    if (s != L_FREE && s != L_DONE) return;
  }
  finish(code, state == C_ENDING && endReason != 0 ? endReason : reason);
}

/** A 2xx to a leg's INVITE. */
function answered(o: Out, m: SipMsg): void {
  const l = o;
  if (o.state == L_UP) { again(o, m); return; }
  if (win >= 0 || state == C_ENDING || state == C_IDLE) { ackAndBye(o, m); legFailed(o, 0, T("cancelled")); return; }
  if (!fromResponse(l, m)) { ackAndBye(o, m); o.state = L_DONE; finish(500, T("bad answer")); return; }
  o.state = L_UP;
  l.localSeq = o.cseq;
  win = o.index;
  hopTo(l, m);
  sendAck(l, o.cseq);
  if (m.body.len == 0 || !answer(m)) { hangup(T("no usable SDP in the answer")); return; }
  takeSessionTimer(m, true);
  for (let i = 0; i < MAX_LEGS; i++) {
    const other = leg(i);
    if (other !== o && <u32>(other.state - L_RESOLVING) <= <u32>(L_PROCEEDING - L_RESOLVING)) cancelLeg(other);
  }
  setPeer(m.ptr(m.toUri), m.toUri.len);
  connected();
}

/** A 2xx again for a leg that is up: a retransmission (our ACK was lost: ACK again, with the
 *  INVITE's CSeq number, which the 2xx carries), or another fork of the same INVITE. */
function again(o: Out, m: SipMsg): void {
  if (sameRemoteTag(o, m)) sendAck(o, m.cseq); else ackAndBye(o, m);
}

/** The answer to our offer, from a 183/2xx/ACK body. */
function answer(m: SipMsg): bool {
  return parseSdp(sdp, m.ptr(m.body), m.body.len) == SDP_OK && processAnswer(sdp, local, params) == SDP_OK;
}

function startMedia(): void {
  media.start(local.port, params.remoteIp, params.remotePort, params.pt, params.law, params.tePt,
    params.dir);
}

function connected(): void {
  ringTimer.cancel();
  media.playTone(TONE_NONE);
  startMedia();
  answeredAt = now();
  maxTimer.start(<i64>settings.intValue(settings.K_CALL_MAX_DURATION) * 1000);
  setState(C_ACTIVE);
  onAnswer();
}

/** In-dialog requests go to the route set's first hop (where the dialog started), or straight to
 *  the remote target when there is no route set and it is an address. */
function hopTo(l: Leg, m: SipMsg): void {
  if (l.routesLen > 0) return;
  if (!parseUri(l.target, 0, l.targetLen, uri)) return;
  const ip = parseIp4(l.target + <usize>uri.host.off, uri.host.len);
  if (ip > 0) { l.ip = <u32>ip; l.port = uri.port > 0 ? uri.port : 5060; }
}


/** ACK and BYE for a 2xx the call does not want (another fork, or too late). */
function ackAndBye(o: Out, m: SipMsg): void {
  const l: Leg = leg(MAX_LEGS), ol = o;
  l.clear();
  memory.copy(l.callId, ol.callId, <usize>ol.callIdLen); l.callIdLen = ol.callIdLen;
  memory.copy(l.local, ol.local, <usize>ol.localLen); l.localLen = ol.localLen;
  if (!fromResponse(l, m)) return;
  l.ip = ol.ip; l.port = ol.port;
  hopTo(l, m);
  sendAck(l, o.cseq);
  l.localSeq = o.cseq;
  sendBye(l, false);
}

/** The ACK for a 2xx (13.2.2.4): a request of the dialog with the INVITE's CSeq number. */
function sendAck(l: Leg, cseq: u32): void {
  request(null, l, M_ACK, cseq, ackOffer ? F_BODY : 0);
}

/** BYE within the dialog (15.1.1); `ours`: the call's own dialog (its answer ends the call). */
function sendBye(l: Leg, ours: bool): void {
  const t = transaction.alloc(NICT, M_BYE, 0, ours ? onByeTxn : onOtherTxn, 0);
  if (t === null) { if (ours) finish(endCode, endReason); return; }
  if (request(t, l, M_BYE, ++l.localSeq, F_UA)) transaction.startClient(t);
}

function onByeTxn(t: Txn, ev: i32, m: SipMsg | null): void {
  if (ev == TU_FINAL || ev == TU_TIMEOUT || ev == TU_TRANSPORT) finish(endCode, endReason);
}
function onOtherTxn(t: Txn, ev: i32, m: SipMsg | null): void {}

/** CANCEL a leg (9.1): at once when it has had a provisional response, else when one comes. */
function cancelLeg(o: Out): void {
  o.cancel = true;
  if (o.state == L_RESOLVING) { o.state = L_DONE; return; }
  if (o.state == L_PROCEEDING) sendCancel(o);
}

function sendCancel(o: Out): void {
  const inv = o.txn;
  if (inv === null || o.state != L_PROCEEDING || o.cancelSent) return;
  const t = transaction.alloc(NICT, 4 /* CANCEL */, 0, onOtherTxn, 0);
  if (t === null || !buildCancel(t, inv)) return;
  o.cancelSent = true; // the INVITE's 487 ends the leg
  transaction.startClient(t);
}

/** Ends the call from our side: CANCEL what rings, BYE what is up, or decline what is offered. */
export function hangup(reason: Text): Text {
  if (state == C_IDLE) return T("no call");
  if (endReason == 0) endReason = reason;
  if (!outgoing) {
    const t = inTxn, l = leg(0);
    if (t !== null && t.gen == inGen && t.state == 3 /* proceeding */ && !ackWait && win < 0) {
      respond(t, ua.msg, 480, l, null);
      finish(480, reason);
      return 0;
    }
    setState(C_ENDING);
    sendBye(l, true);
    return 0;
  }
  setState(C_ENDING);
  media.playTone(TONE_NONE);
  let waiting = false;
  for (let i = 0; i < MAX_LEGS; i++) {
    const o = leg(i);
    if (o.state == L_UP) { sendBye(o, true); o.state = L_DONE; waiting = true; }
    else if (<u32>(o.state - L_RESOLVING) <= <u32>(L_PROCEEDING - L_RESOLVING)) { cancelLeg(o); if (o.state != L_DONE) waiting = true; }
  }
  if (!waiting) finish(0, reason);
  return 0;
}

function onRing(t: Timer): void { hangup(T("no answer")); }
function onMax(t: Timer): void { hangup(T("maximum duration")); }

// ---- incoming

/**
 * A new INVITE (ua.onInvite): `allowed` is the application's decision. Busy: 486; not allowed:
 * 403; no common codec: 488; else 200 at once with our SDP.
 */
export function incoming(m: SipMsg, t: Txn, allowed: bool, open: bool): void {
  if (state != C_IDLE) { reject(t, 486); return; }
  if (!allowed) { reject(t, 403); return; }
  if (m.find(H_CONTACT, -1) < 0 || m.contactUri.len == 0) { reject(t, 400); return; }
  begin(false);
  mayOpen = open;
  const o = leg(0);
  const tag = build.newTag(at(tagBuf, TAG_CAP)).len;
  const l = o;
  if (!fromInvite(l, m, tagBuf, tag, ua.srcIp, ua.srcPort)) { reject(t, 500); return; }
  hopTo(l, m);
  setPeer(m.ptr(m.fromUri), m.fromUri.len);
  o.state = L_UP;
  win = 0;
  local.ip = hal.net_local_ip(ua.srcIp);
  const port = media.open(rtpPort());
  if (port < 0) { reject(t, 503); return; }
  local.port = port;
  if (!offerAnswer(m)) {
    media.stop();
    reject(t, 488);
    ended(T("no common codec"), 488).end();
    return;
  }
  accept(t, m, l);
  if (!ackOffer) connected(); else { answeredAt = now(); setState(C_ACTIVE); onAnswer(); }
}

/** A rejection sent statelessly (a retransmitted INVITE gets it again), so that unwanted calls
 *  hold no transaction: a flood of them cannot lock out the wanted ones. */
function reject(t: Txn, code: i32): void {
  abandon(t);
  ua.reply(code, null);
}

/** Our SDP for an INVITE (or re-INVITE): the answer to its offer, or, when it has none, an
 *  offer whose answer comes in the ACK. False: no usable offer. */
function offerAnswer(m: SipMsg): bool {
  at(offer, OFFER_CAP);
  if (m.body.len == 0) { buildOffer(local, origin, w); ackOffer = true; }
  else if (parseSdp(sdp, m.ptr(m.body), m.body.len) != SDP_OK || answerOffer(sdp, local, origin, w, params) != SDP_OK) return false;
  offerLen = w.ok ? w.len : 0;
  return true;
}

/** Answers an INVITE or re-INVITE with 200 and our SDP, retransmitted until the ACK. */
function accept(t: Txn, m: SipMsg, l: Leg): void {
  takeSessionTimer(m, false);
  if (state == C_IDLE) setState(C_RINGING);
  inTxn = t;
  inGen = t.gen;
  t.tu = onInviteServer;
  respond(t, m, 200, l, okExtra);
  ackWait = true;
  retxInterval = T1;
  okSentAt = now();
  retxTimer.start(T1);
}

/** The incoming INVITE's server transaction reports (the ACK for our 2xx, RFC 6026). */
function onInviteServer(t: Txn, ev: i32, m: SipMsg | null): void {
  if (ev == TU_ACK && m !== null) acked(m);
  if (ev == TU_TERMINATED && inTxn === t) inTxn = null;
}

/** Retransmits our 2xx (13.3.1.4) until the ACK, for 64*T1 from the first one, then gives up
 *  with BYE. */
function onRetx(tm: Timer): void {
  if (!ackWait) return;
  const t = inTxn;
  const left = okSentAt + 64 * T1 - now();
  if (left <= 0 || t === null || t.gen != inGen) { ackWait = false; hangup(T("no ACK")); return; }
  transport.send(t.ip, t.port, t.buf, t.len);
  retxInterval = retxInterval * 2 < T2 ? retxInterval * 2 : T2;
  tm.start(retxInterval < left ? retxInterval : left);
}

function acked(m: SipMsg): void {
  if (!ackWait) return;
  ackWait = false;
  retxTimer.cancel();
  if (ackOffer) {
    ackOffer = false;
    if (m.body.len == 0 || !answer(m)) { hangup(T("no usable SDP in the ACK")); return; }
    connected();
  }
}

/** ACK outside a transaction (ua.onAck): for our 2xx (a new branch, 13.2.2.4), in the dialog
 *  of the leg that answered. */
export function onAck(m: SipMsg): void {
  if (state != C_IDLE && matchesRequest(leg(win < 0 ? 0 : win), m)) acked(m);
}

/** CANCEL matched an INVITE server transaction (ua answered the CANCEL with 200). The unit
 *  answers every INVITE at once, so the INVITE already has its final response and the CANCEL
 *  changes nothing (RFC 3261 9.2); the caller ends the call with BYE. */
export function onCancel(m: SipMsg, inv: Txn): void {}

/** A 2xx to INVITE matching no transaction (ua.onStray2xx): ACK it again or end that dialog. */
export function onStray2xx(m: SipMsg): void {
  for (let i = 0; i < MAX_LEGS; i++) {
    const o = leg(i), l = o;
    if (o.state != L_UP || !eqBytes(l.callId, l.callIdLen, m.ptr(m.callId), m.callId.len)) continue;
    again(o, m);
    return;
  }
}

/** BYE, INFO, re-INVITE (ua.onInDialog). */
export function inDialog(m: SipMsg, t: Txn): void {
  let o: Out | null = null;
  for (let i = 0; i < MAX_LEGS; i++) {
    const x = leg(i);
    if (state != C_IDLE && x.state == L_UP && matchesRequest(x, m)) o = x;
  }
  if (o === null) { reject(t, 481); return; } // stateless: stray requests must not hold server slots
  const l = o;
  const method = m.method;
  if (m.cseq <= l.remoteSeq && l.remoteSeq != 0 && method != M_ACK) { respond(t, m, 500, l, null); return; }
  l.remoteSeq = m.cseq;
  if (method == M_BYE) {
    respond(t, m, 200, l, null);
    if (endReason == 0) { endReason = T("hung up by the other side"); endCode = 0; }
    finish(0, endReason);
    return;
  }
  if (method == M_INFO) {
    const p = m.ptr(m.body), n = m.body.len;
    let d = -1;
    if (n > 0) {
      if (typeIs(m, T("application/dtmf-relay"))) d = parseDtmfRelay(p, n);
      else if (typeIs(m, T("application/dtmf"))) d = parseDtmfBody(p, n);
    }
    if (d >= 0) media.pushInfoDigit(d);
    respond(t, m, 200, l, null);
    return;
  }
  // re-INVITE (14.2): a new offer (hold, resume, new address) or none (we offer, answer in ACK);
  // a target refresh (12.2.2) and a session refresh (RFC 4028).
  takeTarget(l, m);
  hopTo(l, m);
  local.ip = hal.net_local_ip(l.ip);
  if (!offerAnswer(m)) { respond(t, m, 488, l, null); return; }
  if (m.body.len > 0) media.update(params.remoteIp, params.remotePort, params.pt, params.law, params.tePt, params.dir);
  accept(t, m, l);
}

/** The Content-Type's media type is `t` (parameters after ';' ignored, any case). */
function typeIs(m: SipMsg, t: Text): bool {
  const p = m.ptr(m.contentType);
  let n = indexOf(p, m.contentType.len, 59);
  if (n < 0) n = m.contentType.len;
  while (n > 0 && load<u8>(p + <usize>(n - 1)) == 32) n--;
  return eqNoCase(p, n, t);
}

// ---- session timers (RFC 4028)

/** Reads Session-Expires from a request (we answer) or a 2xx (we called) and arms the timer:
 *  we refresh at half the interval when we are the refresher, else we end the call if no
 *  refresh came by the interval's end minus min(32 s, a third). */
function takeSessionTimer(m: SipMsg, uac: bool): void {
  const i = m.find(H_SESSION_EXPIRES, -1);
  if (i < 0) { if (!uac) seInterval = 0; if (seInterval == 0) sessionTimer.cancel(); return; }
  const p = m.base + <usize>m.hdrValueOff(i);
  const n = m.hdrValueLen(i);
  let v = 0, k = 0;
  while (k < n && v < 100000) {
    const d = <i32>load<u8>(p + <usize>k) - 48;
    if (<u32>d > 9) break;
    v = v * 10 + d; k++;
  }
  if (v < 90) v = 90;
  seInterval = v;
  // refresher=uac|uas; absent in a request: we choose the UAC (the caller) to refresh.
  let refresherUac = !uac;
  prm.begin(m.base, p + <usize>k, p + <usize>n);
  while (prm.next()) {
    if (prm.is(T("refresher")) && prm.hasValue) refresherUac = eqNoCase(m.base + <usize>prm.valOff, prm.valLen, T("uac"));
  }
  seRefresher = uac ? refresherUac : !refresherUac;
  // A caller that does not support timer (no Supported: timer) cannot refresh: we do (RFC 4028 9).
  timerRequired = !uac && supportsTimer(m);
  if (!uac && !timerRequired) seRefresher = true;
  sessionTimer.start(seRefresher ? <i64>v * 500 : <i64>(v - (v / 3 < 32 ? v / 3 : 32)) * 1000);
}

function supportsTimer(m: SipMsg): bool {
  for (let i = m.find(H_SUPPORTED, -1); i >= 0; i = m.find(H_SUPPORTED, i)) {
    const p = m.base + <usize>m.hdrValueOff(i), n = m.hdrValueLen(i);
    for (let k = 0; k + 5 <= n; k++) if (eqNoCase(p + <usize>k, 5, T("timer"))) return true;
  }
  return m.find(H_REQUIRE, -1) >= 0;
}

function onSession(tm: Timer): void {
  if (state != C_ACTIVE) return;
  if (!seRefresher) { hangup(T("session expired")); return; }
  refresh();
  tm.start(<i64>seInterval * 500);
}

/** A session refresh: re-INVITE with our current SDP (same version: nothing changed). */
function refresh(): void {
  const i = win < 0 ? 0 : win;
  const o = leg(i), l = o;
  const t = transaction.alloc(ICT, M_INVITE, 0, onRefreshTxn, i);
  if (t === null) return;
  l.localSeq = l.localSeq > o.cseq ? l.localSeq + 1 : o.cseq + 1;
  o.cseq = l.localSeq;
  // (an allocated transaction is only taken once started)
  if (request(t, l, M_INVITE, l.localSeq, F_CONTACT | F_SE | F_BODY)) transaction.startClient(t);
}

function onRefreshTxn(t: Txn, ev: i32, m: SipMsg | null): void {
  if (m === null || ev != TU_FINAL) { if (ev == TU_TIMEOUT) hangup(T("session refresh failed")); return; }
  const o = leg(t.owner);
  if (m.status >= 200 && m.status < 300) { sendAck(o, o.cseq); return; }
  if (m.status == 408 || m.status == 481) hangup(T("session refresh failed"));
}

// ---- start-up, status

export function init(): void {
  local.ptime = 20; // (pref and dir: begin())
  params.reset();
  ringTimer.fn = onRing;
  maxTimer.fn = onMax;
  retxTimer.fn = onRetx;
  sessionTimer.fn = onSession;
  legTimer.fn = onLegTimer;
}

/** The `status` call line. */
export function status(w: Writer): void {
  w.str(STATE_NAMES[state]);
  if (state == C_IDLE) return;
  w.str(outgoing ? T(" to ") : T(" from ")).bytes(peerBuf, peerLen);
  const t = answeredAt > 0 ? answeredAt : startedAt;
  w.str(T(", ")).dec(<u64>((now() - t) / 1000)).str(T(" s"));
  if (state == C_ACTIVE) {
    statusJson.w = w.str(T(", "));
    media.writeStats(statusJson.open()).close();
  }
}
const statusJson = changetype<Json>(memory.data(<i32>offsetof<Json>(), 8)); // (w: status() sets it)
