// The door: the lock relay (relay1) pulsed for door.relay_ms, and the DTMF door code. Digits are
// collected during an authorised call; the door opens when the digits typed so far end with
// door.code. A pause longer than door.code_timeout restarts the entry. An empty door.code never
// matches. Who may open (the caller's identity) is decided by the call layer, not here.
import * as event from "../sys/event";
import * as log from "../sys/log";
import { Timer, now } from "../sys/clock";
import * as settings from "../console/settings";
import * as io from "./io";
import { eqBytes } from "../sys/bytes";
import { T, Text } from "../sys/text";

const CODE_MAX: i32 = 16;
const typed = memory.data(CODE_MAX);
let typedLen: i32 = 0;
let lastDigitAt: i64 = 0;
let openBy: Text = T("");

/** Door openings since boot (status). */
export let openings: i32 = 0;

const closeTimer = new Timer((t: Timer): void => {
  io.write(io.OUT_RELAY1, 0);
  event.begin(T("door")).str(T("state"), T("closed")).str(T("by"), openBy).end();
  log.info().str(T("door: relay released")).end();
});

/** Pulses the lock relay for door.relay_ms (a second open while pulsing restarts the pulse). */
export function open(by: Text): void {
  openBy = by;
  openings++;
  const ms = settings.intValue(settings.K_DOOR_RELAY_MS);
  io.write(io.OUT_RELAY1, 1);
  closeTimer.start(ms);
  event.begin(T("door")).str(T("state"), T("open")).str(T("by"), by).num(T("ms"), ms).end();
  log.info().str(T("door: opened by ")).str(by).str(T(" for ")).dec(ms).str(T(" ms")).end();
}

/** True while the relay is pulsed. */
export function isOpen(): bool { return closeTimer.active; }

/** Forgets digits typed so far (call start and end). */
export function resetCode(): void { typedLen = 0; }

/** Adds a DTMF digit (ASCII: 0-9 * # A-D); true when the digits now end with door.code. */
export function digit(d: i32): bool {
  const t = now();
  const timeout = <i64>settings.intValue(settings.K_DOOR_CODE_TIMEOUT) * 1000;
  if (typedLen > 0 && t - lastDigitAt > timeout) typedLen = 0;
  lastDigitAt = t;
  if (typedLen == CODE_MAX) {
    memory.copy(typed, typed + 1, <usize>(CODE_MAX - 1));
    typedLen--;
  }
  store<u8>(typed + <usize>typedLen, <u8>d);
  typedLen++;
  const code = settings.valuePtr(settings.K_DOOR_CODE);
  const n = settings.valueLen(settings.K_DOOR_CODE);
  if (n == 0 || typedLen < n) return false;
  if (!eqBytes(typed + <usize>(typedLen - n), n, code, n)) return false;
  typedLen = 0;
  return true;
}
