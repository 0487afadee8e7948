// The door intercom's call logic: the call button rings button1.call (a second press ends the
// call), incoming calls are answered when answer.mode is auto and the caller is in answer.allow,
// and DTMF digits open the door when they spell door.code during a call the unit placed to its
// configured targets or one from an allowed caller. Tones tell the visitor what happens; the
// call LED shows the call state; every digit is an event.
import * as hal from "../hal";
import * as log from "../sys/log";
import * as event from "../sys/event";
import { Timer } from "../sys/clock";
import { eqNoCase, eqBytes, eqBytesNoCase } from "../sys/bytes";
import { T, Text } from "../sys/text";
import * as settings from "../console/settings";
import * as ua from "../sip/ua";
import * as call from "../sip/call";
import { SipMsg } from "../sip/msg";
import { Txn } from "../sip/txn";
import { parseUri, SipUri } from "../sip/uri";
import * as media from "../media/session";
import { TONE_NONE, TONE_BUSY, TONE_ERROR, TONE_CONFIRM } from "../media/tone";
import { SRC_INFO } from "../media/dtmf";
import * as door from "./door";
import * as leds from "./leds";

const uri = new SipUri();

// in static memory (zero-filled as a new Timer is; init() attaches its function)
const toneTimer = changetype<Timer>(memory.data(<i32>((offsetof<Timer>() + 7) & ~7), 8));
function onToneEnd(t: Timer): void { if (!call.busy()) media.playTone(TONE_NONE); }

/** Button 1 pressed: call the configured targets, or end the call under way. */
export function button(): void {
  if (call.busy()) { call.hangup(T("ended at the door")); return; }
  const r = call.dial(settings.valuePtr(settings.K_BUTTON1_CALL), settings.valueLen(settings.K_BUTTON1_CALL), true);
  if (r != 0) {
    log.warn().str(T("call button: ")).str(r).end();
    media.playTone(TONE_ERROR); // ends by itself after its two repetitions
    toneTimer.cancel();
  }
  showCall();
}

function showCall(): void {
  const s = call.state;
  leds.set(leds.CALL, s == call.C_ACTIVE ? leds.ON : s == call.C_IDLE ? leds.OFF : leds.BLINK_SLOW);
}

/** True when the caller of m is in answer.allow (user parts or SIP URIs, `*` = anyone). */
function allowed(m: SipMsg): bool {
  if (settings.intValue(settings.K_ANSWER_MODE) != 0) return false; // choice 0 = auto
  if (!parseUri(m.base, m.fromUri.off, m.fromUri.len, uri)) return false;
  const user = m.base + <usize>uri.user.off, userLen = uri.user.len;
  const host = m.base + <usize>uri.host.off, hostLen = uri.host.len; // (uri is reused for the items)
  call.items(settings.valuePtr(settings.K_ANSWER_ALLOW), settings.valueLen(settings.K_ANSWER_ALLOW));
  while (call.nextItem()) {
    // one item: `*`, a user part, or a SIP URI (user and host)
    const p = call.itemP, n = call.itemN;
    if (n == 1 && load<u8>(p) == 42) return true;
    if (n > 4 && eqNoCase(p, 4, T("sip:"))) {
      if (parseUri(p, 0, n, uri) && eqBytes(p + <usize>uri.user.off, uri.user.len, user, userLen) &&
        eqBytesNoCase(p + <usize>uri.host.off, uri.host.len, host, hostLen)) return true;
    } else if (eqBytes(p, n, user, userLen)) return true;
  }
  return false;
}

function onInvite(m: SipMsg, t: Txn): void {
  const ok = allowed(m);
  if (!ok) log.info().str(T("incoming call refused: caller not allowed")).end();
  call.incoming(m, t, ok, ok);
  showCall();
}

/** A call ended (sip/call.ts), with its code. */
export function onEnd(code: i32): void {
  door.resetCode();
  if (code == 486 || code == 600 || code == 603) { media.playTone(TONE_BUSY); toneTimer.start(3000); }
  else if (code >= 400) { media.playTone(TONE_ERROR); toneTimer.cancel(); } // ends by itself (two repetitions)
  showCall();
}

/** A call was answered (sip/call.ts). */
export function onAnswer(): void { door.resetCode(); showCall(); }

/** Received DTMF: an event each; the door opens when the digits spell door.code in a call that
 *  may open it. */
function digits(): void {
  for (let k = 0; k < 16; k++) {
    const d = media.takeDigit();
    if (d < 0) return;
    const c = d & 0xff;
    event.begin(T("dtmf")).key(T("digit")).byte(34).byte(c).byte(34);
    event.current().str(T("source"), (d >> 8) == SRC_INFO ? T("info") : T("rfc4733")).end();
    if (call.state == call.C_ACTIVE && call.mayOpen && door.digit(c)) {
      door.open(T("dtmf"));
      media.playTone(TONE_CONFIRM);
    }
  }
}

// ---- console commands (console/commands.ts)
/** `call <target>`: 0 (ok) or the reason it could not. */
export function dial(p: usize, n: i32): Text {
  // A console call may open the door only when its target is one of the button's.
  const r = call.dial(p, n, inButtonList(p, n));
  showCall();
  return r;
}
function inButtonList(p: usize, n: i32): bool {
  call.items(settings.valuePtr(settings.K_BUTTON1_CALL), settings.valueLen(settings.K_BUTTON1_CALL));
  while (call.nextItem()) if (eqBytes(call.itemP, call.itemN, p, n)) return true;
  return false;
}
/** `hangup`: 0 (ok) or the reason it could not. */
export function hangup(): Text { const r = call.hangup(T("ended from the console")); showCall(); return r; }

export function init(): void {
  call.init();
  toneTimer.fn = onToneEnd;
  ua.setCallHandlers(onInvite, call.inDialog, call.onCancel, call.onAck, call.onStray2xx);
}

/** Before a reboot: end the call (BYE goes out now; the answer does not matter). */
export function shutdown(): void { if (call.busy()) call.hangup(T("rebooting")); }

/** Media and DTMF work of the tick; returns the ms until the media wants the next tick (-1 idle). */
export function poll(): i32 {
  const wait = media.poll();
  digits();
  if (call.state != lastState) { lastState = call.state; showCall(); }
  return wait;
}
let lastState: i32 = 0;
