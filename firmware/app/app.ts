// The intercom application: what the unit does with its inputs, outputs and the SIP stack.
// Housekeeping every second (network, registration, LEDs; every tenth: the heap report), the
// exit button, what the console's `open`, `status`, `reboot` and `factory-reset` call; the call
// logic is in intercom.ts.
import { Timer } from "../sys/clock";
import { Writer } from "../sys/bytes";
import * as settings from "../console/settings";
import * as io from "./io";
import * as leds from "./leds";
import * as door from "./door";
import * as net from "./net";
import * as register from "../sip/register";
import * as keepalive from "../sip/keepalive";
import * as resolve from "../sip/resolve";
import * as ua from "../sip/ua";
import * as intercom from "./intercom";
import * as mem from "../sys/mem";
import { T } from "../sys/text";

let appliedGen: i32 = -1;

const housekeeping = new Timer();
let beats = 0;
function onHousekeeping(t: Timer): void {
  t.start(1000);
  net.watch();
  register.watchNetwork();
  showRegistration();
  // Heap growth report: on the first beat after boot, then every tenth (once, unless something
  // allocates).
  if (beats-- == 0) { beats = 9; mem.report(); }
}

function showRegistration(): void {
  const s = register.state;
  leds.set(leds.STATUS, s == register.ST_REGISTERED ? leds.ON : s == register.ST_FAILED ? leds.BLINK_FAST :
    s == register.ST_OFF ? leds.OFF : leds.BLINK_SLOW);
}

/** io: a debounced input changed. */
export function onInput(input: i32, level: i32): void {
  if (level != 1) return;
  if (input == io.IN_EXIT) door.open(T("exit"));
  else if (input == io.IN_BUTTON1) intercom.button();
}

// What the console calls directly (commands.ts): `open`, the status lines of the network, the
// registration and the door, and the step before a reboot or factory-reset.
export function openDoor(): void { door.open(T("console")); }
export function statusNetwork(w: Writer): void { net.status(w); }
export function statusRegistration(w: Writer): void { register.status(w); }
export function statusDoor(w: Writer): void {
  w.str(door.isOpen() ? T("open") : T("closed")).str(T(", opened ")).dec(<u64>door.openings).str(T(" times"));
}
export function beforeReset(factory: bool): void {
  intercom.shutdown();
  register.unregister();
}

export function init(): void {
  io.init();
  register.init();
  keepalive.init();
  intercom.init();
  housekeeping.fn = onHousekeeping;
  housekeeping.start(0);
  apply();
}

/** Re-applies the settings after a save. */
function apply(): void {
  appliedGen = settings.generation;
  register.apply();
  keepalive.apply();
  showRegistration();
}

/** Everything the application polls each tick; returns the ms until it wants the next tick. */
export function poll(): i64 {
  if (settings.generation != appliedGen) apply();
  const more = ua.poll();
  if (resolve.poll()) register.onResolved();
  let wait = io.poll();
  const mw = intercom.poll();
  if (mw >= 0 && (wait < 0 || mw < wait)) wait = mw;
  return more ? 0 : wait;
}
