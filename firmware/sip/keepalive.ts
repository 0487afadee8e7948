// NAT keep-alive toward the registrar while registered (sip.keepalive, sip.keepalive_s):
//   crlf     a CRLF CRLF datagram (RFC 5626 4.4.1 ping; over UDP it only refreshes the NAT
//            binding, nothing answers it)
//   options  an out-of-dialog OPTIONS (RFC 3261 11): any response proves the registrar alive; a
//            transaction timeout (Timer F) tells registration to start over.
//   off      nothing.
import * as log from "../sys/log";
import { Timer } from "../sys/clock";
import * as settings from "../console/settings";
import * as account from "./account";
import * as transport from "./transport";
import * as transaction from "./transaction";
import * as register from "./register";
import { Txn, NICT, TU_TIMEOUT, TU_TERMINATED } from "./txn";
import { SipMsg, M_OPTIONS, H_FROM, H_TO, H_CALL_ID } from "./msg";
import * as build from "./build";
import { T } from "../sys/text";

const MODE_OFF: i32 = 0;
const MODE_CRLF: i32 = 1;
const MODE_OPTIONS: i32 = 2;

let mode: i32 = MODE_CRLF;
let intervalMs: i64 = 30000;
let inFlight: bool = false;
/** Keep-alives sent since boot. */
export let sent: i32 = 0;

const CRLF2 = memory.data<u8>([13, 10, 13, 10]);

const timer = new Timer();
function onTimer(t: Timer): void {
  t.start(intervalMs);
  const ip = register.keepaliveIp();
  if (ip == 0 || mode == MODE_OFF) return;
  if (mode == MODE_CRLF) {
    if (transport.send(ip, register.keepalivePort(), CRLF2, 4)) sent++;
  } else if (!inFlight) options();
}

/** Wires the timer (see sys/clock.ts). */
export function init(): void { timer.fn = onTimer; }

/** Applies sip.keepalive / sip.keepalive_s (boot and after a save). */
export function apply(): void {
  const k = settings.intValue(settings.K_SIP_KEEPALIVE); // choice index: off|crlf|options
  mode = k == 0 ? MODE_OFF : k == 2 ? MODE_OPTIONS : MODE_CRLF;
  intervalMs = <i64>settings.intValue(settings.K_SIP_KEEPALIVE_S) * 1000;
  if (mode == MODE_OFF) timer.cancel(); else timer.start(intervalMs);
}

/** An OPTIONS to the registrar (where keepaliveIp() and keepalivePort() point while registered). */
function options(): void {
  const t = transaction.alloc(NICT, M_OPTIONS, 0, onTxn, 2);
  if (t === null) return;
  const w = register.into(t.buf, t.cap);
  const rs = register.writeHead(w, M_OPTIONS);
  const rl = register.headUriLen;
  build.header(w, H_FROM).byte(60);
  account.writeAor(w).str(T(">;tag="));
  build.newTag(w);
  w.crlf();
  build.header(w, H_TO).byte(60).bytes(w.base + <usize>rs, rl).byte(62).crlf();
  build.newCallId(build.header(w, H_CALL_ID)).crlf();
  build.cseq(w, 1, M_OPTIONS);
  w.str(T("Accept: application/sdp")).crlf();
  build.userAgent(w);
  build.end(w);
  if (!register.seal(t, w)) return;
  inFlight = true;
  sent++;
  transaction.startClient(t);
}

function onTxn(t: Txn, ev: i32, m: SipMsg | null): void {
  if (ev == TU_TERMINATED) { inFlight = false; return; }
  if (ev == TU_TIMEOUT) {
    log.warn().str(T("keep-alive: the registrar does not answer OPTIONS")).end();
    register.lost();
  }
}
