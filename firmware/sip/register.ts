// Registration (RFC 3261 section 10, RFC 3581, RFC 5626 4.5 back-off): keeps the unit's contact
// bound at the registrar for as long as it runs.
//   off ---(account set, network up)---> registering ---2xx---> registered --(90% of expires)--> registering
//                                          |  401/407: answer the digest challenge once per nonce
//                                          |  423: retry with Min-Expires
//                                          \--failure--> failed --(back-off)--> registering
// One Call-ID for the binding and a CSeq that grows (10.2.4). The digest challenge is kept, so
// refreshes carry credentials at once; a stale nonce is answered without counting as a failure.
// A second challenge for a request that already carried credentials for that nonce means the
// password is wrong: the attempt fails instead of looping. Failures wait
// min(1800, 30 * 2^k) s * random(0.5..1) before the next attempt (RFC 5626 4.5), so a wrong
// password costs at most a few REGISTERs a minute and never a tight loop. The network going away
// or coming back, and a change of the account settings, restart registration at once; the old
// binding is removed first (Expires: 0). Nothing here waits on a call; calls never wait on this.
import * as hal from "../hal";
import * as log from "../sys/log";
import * as event from "../sys/event";
import * as random from "../sys/random";
import { Timer, now } from "../sys/clock";
import { Writer, indexOf, parseU32, parseIp4, eqBytes } from "../sys/bytes";
import * as settings from "../console/settings";
import * as account from "./account";
import * as resolve from "./resolve";
import * as transport from "./transport";
import * as transaction from "./transaction";
import { Txn, NICT, TU_FINAL, TU_TIMEOUT, TU_TRANSPORT, TU_PROVISIONAL, clientKey, abandon } from "./txn";
import { SipMsg, M_REGISTER, H_CONTACT, H_MIN_EXPIRES, H_RETRY_AFTER, values, nextValue, methodNamePtr, methodNameLen } from "./msg";
import * as build from "./build";
import { DigestClient, Challenge, findChallenge, D_OK } from "./digest";
import { uas } from "./validate";
import { list } from "./headers";
import { params } from "./params";
import { T, Text } from "../sys/text";

// States
export const ST_OFF: i32 = 0;         // no account configured
export const ST_WAIT_NET: i32 = 1;    // no route to the registrar
export const ST_RESOLVING: i32 = 2;   // looking the registrar up
export const ST_REGISTERING: i32 = 3; // REGISTER in flight
export const ST_REGISTERED: i32 = 4;
export const ST_FAILED: i32 = 5;      // waiting out the back-off

export let state: i32 = ST_OFF;
/** Why the last attempt failed (a literal for status and events). */
export let reason: Text = T("");
/** Status code of the last final response (0: none, e.g. a timeout). */
export let lastCode: i32 = 0;
/** Seconds the registrar granted. */
export let granted: i32 = 0;
/** When the binding expires / when the next attempt starts (ms, clock time). */
export let expiresAt: i64 = 0;
export let retryAt: i64 = 0;
/** REGISTER requests sent since boot (tests count them). */
export let sent: i32 = 0;
/** Consecutive failed attempts. */
export let failures: i32 = 0;

const OWNER_REGISTER: i32 = 1;
const ID_CAP: i32 = 48;
const URI_CAP: i32 = 200;
const callId = memory.data(ID_CAP);
let callIdLen: i32 = 0;
const fromTag = memory.data(24);
let fromTagLen: i32 = 0;
const branch = memory.data(32);
const aor = memory.data(URI_CAP);
let aorLen: i32 = 0;
const contactUri = memory.data(URI_CAP);
let contactLen: i32 = 0;
let cseq: u32 = 0;
let expires: i32 = 600;
let registrarIp: u32 = 0;
let registrarPort: i32 = 5060;
let localIp: u32 = 0;
/** The address the registrar saw us at (Via received/rport), for the Contact behind NAT. */
let publicIp: u32 = 0;
let publicPort: i32 = 0;
let txn: Txn | null = null;
let txnGen: i32 = 0;
/** The request in flight already carried credentials for the current nonce. */
let answered: bool = false;
/** The request in flight removes the binding (Expires: 0). */
let removing: bool = false;
let appliedGen: i32 = -1;
/** The credentials of the live binding (kept only to remove it; never shown or logged). */
const CRED_CAP: i32 = 65;
const boundUser = memory.data(CRED_CAP);
let boundUserLen: i32 = 0;
const boundPass = memory.data(CRED_CAP);
let boundPassLen: i32 = 0;
let removeTries: i32 = 0;
let configHash: u32 = 0;

const digest = new DigestClient();
const challenge = new Challenge();
const idW = new Writer(0, 0);
const bw = new Writer(branch, 32);

const timer = new Timer();
function onTimer(t: Timer): void { step(); }

/** Wires the timer (see sys/clock.ts); call once at start-up before apply(). */
export function init(): void { timer.fn = onTimer; }

const STATE_NAMES = memory.data<u32>([T("unregistered"), T("unregistered"), T("registering"), T("registering"), T("registered"), T("failed")]);

function nameOf(s: i32): Text { return load<u32>(STATE_NAMES + (<usize>s << 2)); }

/** The state as the outside world names it (events, status, /api/state). */
export function stateName(): Text { return nameOf(state); }

function setState(s: i32, why: Text): void {
  const before = stateName();
  state = s;
  if (s == ST_REGISTERED || before != stateName() || s == ST_FAILED) publish(why);
}

function publish(why: Text): void {
  const e = event.begin(T("registration")).str(T("state"), stateName());
  if (state != ST_OFF) e.bytes(T("aor"), aor, aorLen);
  if (registrarIp != 0) e.key(T("registrar")).byte(34).ip4(registrarIp).byte(58).dec(<u64>registrarPort).byte(34);
  if (state == ST_REGISTERED) e.num(T("expires"), granted);
  if (lastCode > 0) e.num(T("code"), lastCode);
  if (why != 0) e.str(T("reason"), why);
  e.end();
  if (state == ST_REGISTERED) {
    log.info().str(T("registered ")).bytes(aor, aorLen).str(T(" for ")).dec(<u64>granted).str(T(" s")).end();
  } else if (state == ST_FAILED) {
    log.warn().str(T("registration failed: ")).str(why).end();
  }
}

/** Hash of the settings a binding depends on: a change restarts registration. They are the keys
 *  K_SIP_USER (0) to K_SIP_EXPIRES (6): user, password, auth_user, domain, proxy, port, expires. */
function settingsHash(): u32 {
  let h: u32 = 2166136261;
  for (let k = settings.K_SIP_USER; k <= settings.K_SIP_EXPIRES; k++) {
    const p = settings.valuePtr(k), n = settings.valueLen(k);
    for (let j = 0; j < n; j++) h = (h ^ <u32>load<u8>(p + <usize>j)) * 16777619;
    h = (h ^ 0xff) * 16777619;
  }
  return h;
}

/** Applies the settings (boot, and after every save): restarts registration when they changed. */
export function apply(): void {
  if (appliedGen == settings.generation) return;
  appliedGen = settings.generation;
  const h = settingsHash();
  if (h == configHash && state != ST_OFF) return;
  configHash = h;
  // A live binding is removed first, with the old identity and credentials; the new account
  // starts when the registrar has answered (or given up).
  if (state == ST_REGISTERED && boundUserLen > 0) {
    remove(0, ST_RESOLVING, T("account changed"));
    return;
  }
  restart();
}

/** Starts the binding of the account the settings now describe. */
function restart(): void {
  abandonTxn();
  account.reload();
  transport.configure(settings.intValue(settings.K_SIP_PORT));
  // A new binding: new Call-ID and tag, CSeq from 1; no credentials from the old account.
  callIdLen = build.newCallId(into(callId, ID_CAP)).len;
  fromTagLen = build.newTag(into(fromTag, 24)).len;
  cseq = 0;
  digest.ready = false;
  publicIp = 0;
  publicPort = 0;
  failures = 0;
  lastCode = 0;
  expires = settings.intValue(settings.K_SIP_EXPIRES);
  const w = account.writeAor(into(aor, URI_CAP));
  aorLen = w.ok ? w.len : 0;
  if (!account.configured()) {
    state = ST_OFF;
    registrarIp = 0;
    timer.cancel();
    publish(T("not configured"));
    return;
  }
  setState(ST_RESOLVING, T(""));
  step();
}

/** The scratch writer over [p, p+cap), empty (also the keep-alive's). */
export function into(p: usize, cap: i32): Writer {
  idW.base = p;
  idW.cap = cap;
  return idW.reset();
}

function abandonTxn(): void {
  const t = txn;
  if (t !== null && t.gen == txnGen) abandon(t);
  txn = null;
}

/** Moves registration on: resolve, check the route, send. Runs from its timer and on events. */
function step(): void {
  timer.cancel();
  if (state == ST_OFF || txn !== null) return;
  const r = resolve.lookup(account.hopHost(), account.hopHostLen());
  if (r == resolve.R_PENDING) { state = ST_RESOLVING; timer.start(100); return; }
  if (r == resolve.R_FAILED) { fail(T("cannot resolve the registrar"), 0); return; }
  registrarIp = resolve.lastIp;
  registrarPort = account.hopPort();
  localIp = hal.net_local_ip(registrarIp);
  if (localIp == 0 || transport.localPort() == 0) {
    if (state != ST_WAIT_NET) setState(ST_WAIT_NET, T("network down"));
    timer.start(1000);
    return;
  }
  authTries = 0;
  staleTries = 0;
  send(false);
}

/** Writes and sends a REGISTER (removal: Expires 0 for the current binding). */
function send(remove: bool): void {
  const t = transaction.alloc(NICT, M_REGISTER, 0, onTxn, OWNER_REGISTER);
  if (t === null) { timer.start(1000); return; } // the pool is full: try again shortly
  const w = into(t.buf, t.cap);
  cseq++;
  const ruriStart = writeHead(w, M_REGISTER);
  const ruriLen = headUriLen;
  build.nameAddr(w, 2 /* From */, settings.valuePtr(settings.K_SIP_DISPLAY), settings.valueLen(settings.K_SIP_DISPLAY), aor, aorLen, fromTag, fromTagLen);
  build.nameAddr(w, 3 /* To */, 0, 0, aor, aorLen);
  build.callId(w, callId, callIdLen);
  build.cseq(w, cseq, M_REGISTER);
  writeContact(w);
  w.str(T("Expires: ")).dec(<u64>(remove ? 0 : expires)).crlf();
  build.allow(w, uas.allow);
  build.userAgent(w);
  answered = digest.ready;
  if (answered) {
    // A removal speaks for the binding being removed: the credentials it was made with.
    let up = boundUser, un = boundUserLen, pp = boundPass, pn = boundPassLen;
    if (!remove) {
      up = account.authUser(); un = account.authUserLen();
      pp = settings.valuePtr(settings.K_SIP_PASSWORD); pn = settings.valueLen(settings.K_SIP_PASSWORD);
    }
    digest.write(w, methodNamePtr(M_REGISTER), methodNameLen(M_REGISTER), w.base + <usize>ruriStart, ruriLen, up, un, pp, pn);
  }
  build.end(w);
  if (!seal(t, w)) { fail(T("REGISTER too large"), 0); return; }
  removing = remove;
  txn = t;
  txnGen = t.gen;
  sent++;
  if (!remove && state != ST_REGISTERED && state != ST_REGISTERING) setState(ST_REGISTERING, T(""));
  transaction.startClient(t);
}

/** Length of the Request-URI writeHead() wrote. */
export let headUriLen: i32 = 0;

/** Writes the head of a request to the registrar (REGISTER, the OPTIONS keep-alive): the request
 *  line to sip:domain (10.2; it goes via the proxy when one is set), Via from our address with a
 *  new branch (its transaction key: headKey()), Max-Forwards and the proxy's Route. Returns the
 *  offset of the Request-URI in w (its length: headUriLen). */
export function writeHead(w: Writer, method: i32): i32 {
  const s = build.methodName(w, method).byte(32).len;
  account.writeDomainUri(w);
  headUriLen = w.len - s;
  w.str(T(" SIP/2.0")).crlf();
  build.newBranch(bw.reset());
  build.via(w, localIp, 0, 0, transport.localPort(), bw.base, bw.len);
  build.maxForwards(w);
  account.writeProxyRoute(w);
  return s;
}

/** Readies t to send the request to the registrar written in w (its head by writeHead()); false
 *  (t abandoned) when it did not fit. */
export function seal(t: Txn, w: Writer): bool {
  if (!w.ok) { abandon(t); return false; }
  t.len = w.len;
  t.key = headKey();
  t.ip = registrarIp;
  t.port = registrarPort;
  return true;
}

/** The client transaction key of the branch writeHead() wrote last. */
export function headKey(): u32 { return clientKey(branch, bw.len); }

/** Contact: <sip:user@ip:port> (the public address once the registrar showed us one). */
function writeContact(w: Writer): void {
  const s = w.str(T("Contact: <")).len;
  w.str(T("sip:"));
  account.writeUser(w, settings.valuePtr(settings.K_SIP_USER), settings.valueLen(settings.K_SIP_USER)).byte(64);
  w.ip4(publicIp != 0 ? publicIp : localIp).byte(58).dec(<u64>(publicPort != 0 ? publicPort : transport.localPort()));
  const n = w.len - s;
  if (n <= URI_CAP) { memory.copy(contactUri, w.base + <usize>s, <usize>n); contactLen = n; }
  w.byte(62).crlf();
}

/** Sends an un-REGISTER for the current binding, without waiting for the answer (before a
 *  reboot, a factory reset or an account change). */
export function unregister(): void {
  if (state != ST_REGISTERED && state != ST_REGISTERING) return;
  remove(2, ST_OFF, T("unregistered")); // 2 tries: no follow-up, the unit is going away
}

/** Sends the un-REGISTER of the current binding, then enters state s (published with why). */
function remove(tries: i32, s: i32, why: Text): void {
  abandonTxn();
  timer.cancel();
  removeTries = tries;
  send(true);
  state = s;
  publish(why);
}

function onTxn(t: Txn, ev: i32, m: SipMsg | null): void {
  if (t !== txn || t.gen != txnGen) return;
  if (ev == TU_PROVISIONAL) return;
  txn = null; // done with it: the next request may start at once (it lingers for retransmissions)
  if (removing) {
    if (removeTries >= 2) return;
    // A stale or new nonce for the removal: answer it once, then start the new account.
    if (m !== null && (m.status == 401 || m.status == 407) && removeTries == 0 && accepts(m)) {
      removeTries = 1;
      send(true);
      return;
    }
    boundUserLen = 0;
    restart();
    return;
  }
  if (ev == TU_TIMEOUT) { forgetRegistrar(); fail(T("no response from the registrar"), 0); return; }
  if (ev == TU_TRANSPORT) { fail(T("cannot send to the registrar"), 0); return; }
  if (ev != TU_FINAL || m === null) return;
  const code = m.status;
  lastCode = code;
  if (code >= 200 && code < 300) { registered(m); return; }
  if (code == 401 || code == 407) { challenged(m); return; }
  if (code == 423) {
    const min = seconds(m, H_MIN_EXPIRES);
    if (min > expires && min <= 86400) {
      log.info().str(T("registrar asks for at least ")).dec(<u64>min).str(T(" s")).end();
      expires = min;
      send(false); // the next REGISTER of the attempt (localIp is set: one was sent)
      return;
    }
    fail(T("interval too brief"), code);
    return;
  }
  const retry = seconds(m, H_RETRY_AFTER);
  failRetry(code == 403 ? T("forbidden") : code == 404 ? T("unknown user") : T("rejected by the registrar"), code, retry);
}

/**
 * 401/407 (RFC 3261 22.2): answer the challenge with a new REGISTER. Within one attempt a fresh
 * challenge is answered once (cached credentials may have met a restarted server); a second
 * one means the credentials are wrong and the attempt fails. stale=true (RFC 2617 3.2.1: the
 * credentials were right, the nonce old) is answered without counting, at most twice.
 */
function challenged(m: SipMsg): void {
  if (!accepts(m)) {
    fail(T("unsupported authentication"), m.status);
    return;
  }
  if (challenge.stale && staleTries < 2) staleTries++;
  else if (authTries >= 1) { digest.ready = false; fail(T("authentication failed"), m.status); return; }
  else authTries++;
  send(false); // the next REGISTER of the attempt (localIp is set: one was sent)
}

/** Takes the challenge of 401/407 m (407: the proxy's); false when it cannot be answered. */
function accepts(m: SipMsg): bool {
  const proxy = m.status == 407;
  return findChallenge(m, proxy, challenge) == D_OK && digest.accept(m.base, challenge, proxy) == D_OK;
}

/** The registrar's address is looked up again next time (it stopped answering). */
function forgetRegistrar(): void { resolve.forget(account.hopHost(), account.hopHostLen()); }

/** Challenges answered within the current attempt. */
let authTries: i32 = 0;
let staleTries: i32 = 0;


function registered(m: SipMsg): void {
  failures = 0;
  // Remember who this binding belongs to, to remove it after an account change.
  boundUserLen = keep(boundUser, account.authUser(), account.authUserLen());
  boundPassLen = keep(boundPass, settings.valuePtr(settings.K_SIP_PASSWORD), settings.valueLen(settings.K_SIP_PASSWORD));
  // Our binding among all of the AOR's (10.2.4): the Contact value holding our host:port; its
  // expires parameter, else the Expires header, else what we asked for.
  let g = m.expires >= 0 ? m.expires : expires;
  const at = indexOf(contactUri, contactLen, 64) + 1; // our "ip:port" after the '@'
  values(m, H_CONTACT);
  while (nextValue()) {
    const s = m.base + <usize>list.item.off, n = list.item.len;
    if (!contains(s, n, contactUri + <usize>at, contactLen - at)) continue;
    params.begin(m.base, s + <usize>(indexOf(s, n, 62) + 1), s + <usize>n);
    while (params.next()) {
      if (!params.is(T("expires"))) continue;
      const v = parseU32(m.base + <usize>params.valOff, params.valLen);
      if (v >= 0) g = v > 86400 ? 86400 : <i32>v;
    }
  }
  granted = g;
  expiresAt = now() + <i64>g * 1000;
  setState(ST_REGISTERED, 0);
  if (g <= 0) { fail(T("binding not kept by the registrar"), m.status); return; }
  // The registrar's view of our address (RFC 3581): behind NAT, register again at once with it.
  const natIp = <u32>parseIp4(m.ptr(m.viaReceived), m.viaReceived.len);
  const natPort = m.viaRport > 0 ? m.viaRport : transport.localPort();
  if (natIp != 0xffffffff && (natIp != localIp || natPort != transport.localPort()) && (natIp != publicIp || natPort != publicPort)) {
    publicIp = natIp;
    publicPort = natPort;
    log.info().str(T("registrar sees us at ")).ip4(natIp).byte(58).dec(<u64>natPort).end();
    timer.start(0);
    return;
  }
  timer.start(<i64>g * 900); // refresh at 90% of the interval
}

/** Copies a credential of n bytes to dst (CRED_CAP); returns its length (0 when too long). */
function keep(dst: usize, p: usize, n: i32): i32 {
  if (n >= CRED_CAP) n = 0;
  memory.copy(dst, p, <usize>n);
  return n;
}

/** Whether [q, q+qn) occurs in [p, p+n). */
function contains(p: usize, n: i32, q: usize, qn: i32): bool {
  for (let i = 0; i + qn <= n; i++) if (eqBytes(p + <usize>i, qn, q, qn)) return true;
  return false;
}

/** The leading delta-seconds of header h (Min-Expires, Retry-After), or -1. */
function seconds(m: SipMsg, h: i32): i32 {
  const i = m.find(h);
  if (i < 0) return -1;
  const p = m.base + <usize>m.hdrValueOff(i);
  let n = 0;
  while (n < m.hdrValueLen(i) && <u32>(<i32>load<u8>(p + <usize>n) - 48) < 10) n++;
  const v = parseU32(p, n);
  return v < 0 || v > 86400 ? -1 : <i32>v;
}

function fail(why: Text, code: i32): void { failRetry(why, code, -1); }

/** A failed attempt: the next one after the back-off, or after retryAfter s when that is longer. */
function failRetry(why: Text, code: i32, retryAfter: i32): void {
  failures++;
  lastCode = code;
  reason = why;
  const k = failures < 6 ? failures : 6;
  let wait: i64 = <i64>30000 << k;
  if (wait > 1800000) wait = 1800000;
  wait = random.range(wait / 2, wait);
  if (retryAfter > 0 && <i64>retryAfter * 1000 > wait) wait = <i64>retryAfter * 1000;
  retryAt = now() + wait;
  setState(ST_FAILED, why);
  timer.start(wait);
}

/** Checks the network every second: a route that appears or disappears restarts registration. */
export function watchNetwork(): void {
  if (state == ST_OFF || registrarIp == 0) return;
  const ip = hal.net_local_ip(registrarIp);
  if (ip == localIp) return;
  if (ip == 0) {
    abandonTxn();
    setState(ST_WAIT_NET, T("network down"));
    timer.start(1000);
  } else {
    log.info().str(T("local address is now ")).ip4(ip).end();
    abandonTxn();
    failures = 0;
    state = ST_RESOLVING;
    step();
  }
}

/** The registrar stopped answering (keep-alive timeout): try again now. */
export function lost(): void {
  if (state != ST_REGISTERED) return;
  abandonTxn();
  forgetRegistrar();
  fail(T("registrar not answering"), 0);
}

/** A finished lookup may unblock registration. */
export function onResolved(): void {
  if (state == ST_RESOLVING) step();
}

/** Our address toward the registrar (Via sent-by). */
export function localAddress(): u32 { return localIp; }

/** Where keep-alives go (0 when not registered). */
export function keepaliveIp(): u32 { return state == ST_REGISTERED ? registrarIp : 0; }
export function keepalivePort(): i32 { return registrarPort; }

/** Whole seconds from now until clock time t (ms), 0 when past. */
function secondsTo(t: i64): i64 {
  const left = (t - now()) / 1000;
  return left > 0 ? left : 0;
}

/** The `status` line. */
export function status(w: Writer): void {
  w.str(stateName());
  if (state == ST_OFF) { w.str(T(" (no account: set sip.user and sip.domain)")); return; }
  w.byte(32).bytes(aor, aorLen);
  if (state == ST_REGISTERED) {
    w.str(T(", expires in ")).int(secondsTo(expiresAt)).str(T(" s"));
  } else if (state == ST_FAILED) {
    w.str(T(": ")).str(reason);
    if (lastCode > 0) w.str(T(" (")).dec(<u64>lastCode).byte(41);
    w.str(T(", retry in ")).int(secondsTo(retryAt)).str(T(" s"));
  } else if (state == ST_WAIT_NET) w.str(T(": network down"));
}
