// The console commands (docs/console.md): each answers into the console's Writer with zero or
// more result lines and then exactly one final line, `ok` or `error: <reason>`. The line is
// parsed in place (spans into the line buffer); nothing allocates. Secrets are masked wherever a
// value is written.
import * as hal from "../hal";
import { FIRMWARE_VERSION } from "../config";
import { Writer, eqLit } from "../sys/bytes";
import { now } from "../sys/clock";
import * as log from "../sys/log";
import { wordIndex, wordAt } from "../sys/words";
import * as settings from "./settings";
import { K_LOG_LEVEL, F_PATTERN } from "./settings";
import { check, norm } from "./validate";
import * as store from "./store";
import { next, rest, tp, tn } from "./line";
import * as app from "../app/app";
import * as intercom from "../app/intercom";
import { status as statusCall } from "../sip/call";
import {
  help, helpLine, commandIndex, usage, C_HELP, C_SHOW, C_GET, C_SET, C_UNSET, C_SAVE, C_REVERT,
  C_FACTORY_RESET, C_STATUS, C_CALL, C_HANGUP, C_OPEN, C_VERSION, C_REBOOT, C_LOG,
} from "./help";
import { T, Text, textPtr, textLen } from "../sys/text";

/** Set by reboot and factory-reset: the console reboots once the answer is out. */
export let rebootRequested = false;
export function clearReboot(): void { rebootRequested = false; }

function fail(w: Writer): Writer { return w.str(T("error: ")); }

/** Runs one command line [p, p+n) (not empty) and writes its answer into w. */
export function run(p: usize, n: i32, w: Writer): void {
  const i = next(p, n, 0);
  const c = commandIndex(tp, tn);
  rest(p, n, i);
  const ap = tp, an = tn; // the arguments, trimmed
  let ok = false;
  if (c < 0) done(w, T("unknown command (try help)"));
  else if (c >= C_SAVE && c != C_CALL && c != C_LOG && an > 0) usage(w, c); // no arguments
  else switch (c) {
    case C_HELP:
      if (an == 0) { help(w); ok = true; }
      else ok = forKeys(ap, an, w, true);
      break;
    case C_SHOW: ok = an > 0 && next(ap, an, 0) < an ? usage(w, c) : forKeys(ap, an, w, false); break;
    case C_GET: ok = get(ap, an, w); break;
    case C_SET: ok = set(ap, an, w); break;
    case C_UNSET: ok = unset(ap, an, w); break;
    case C_SAVE: ok = save(w); break;
    case C_REVERT: w.str(T("reverted ")).dec(settings.revert()).str(T(" changes")).crlf(); ok = true; break;
    case C_FACTORY_RESET: ok = reboot(w, true); break;
    case C_STATUS: status(w); ok = true; break;
    case C_CALL: ok = an == 0 ? usage(w, c) : done(w, intercom.dial(ap, an)); break;
    case C_HANGUP: ok = done(w, intercom.hangup()); break;
    case C_OPEN: app.openDoor(); ok = true; break;
    case C_VERSION: version(w); ok = true; break;
    case C_REBOOT: ok = reboot(w, false); break;
    default: ok = logLevel(ap, an, w);
  }
  if (ok) w.str(T("ok")).crlf();
}

/** The result of a call command: `ok` (reason 0), or `error: <reason>`. */
function done(w: Writer, reason: Text): bool {
  if (reason != 0) fail(w).str(reason).crlf();
  return reason == 0;
}

// Longest line `show` writes: key, " = ", two quoted values at their maximum, the marker.
const LINE_MAX: i32 = 32 + 2 * 260 + 24;

/** Writes the help line (help) or the show line of every key that starts with [p, p+n);
 *  `error: no key starts with ...` when there is none. */
function forKeys(p: usize, n: i32, w: Writer, help: bool): bool {
  let found = false;
  for (let k = 0; k < settings.COUNT; k++) {
    if (!settings.keyStarts(k, p, n)) continue;
    if (w.cap - w.len < LINE_MAX) { w.overflow = true; return false; } // console.ts: answer too long
    if (help) helpLine(w, k); else showLine(w, k);
    found = true;
  }
  if (!found) fail(w).str(T("no key starts with ")).bytes(p, n).crlf();
  return found;
}

/** One key token in [kp, kp+kn) (nothing after it); writes a usage or `error: unknown key <key>`
 *  and returns -1 when there is none. */
function oneKey(kp: usize, kn: i32, cmd: i32, w: Writer): i32 {
  if (kn == 0 || next(kp, kn, 0) < kn) { usage(w, cmd); return -1; }
  const k = settings.find(kp, kn);
  if (k < 0) fail(w).str(T("unknown key ")).bytes(kp, kn).crlf();
  return k;
}

// ---- values as the console shows them

/** A value as `show` and `get` write it: secrets that are set as ********, an empty value as "",
 *  a value with spaces at an end (or in quotes) in double quotes, so that `set` reads it back;
 *  also `ok` and `error...`, so that no result line looks like a final line. */
function repr(w: Writer, k: i32, p: usize, n: i32): void {
  if (n > 0 && settings.isSecret(k)) { w.str(T("********")); return; }
  let q = n == 0;
  if (!q) {
    const a = <i32>load<u8>(p), b = <i32>load<u8>(p + <usize>(n - 1));
    q = a == 32 || b == 32 || n >= 2 && a == 34 && b == 34 || eqLit(p, n, T("ok")) || n >= 5 && eqLit(p, 5, T("error"));
  }
  if (q) w.byte(34).bytes(p, n).byte(34);
  else w.bytes(p, n);
}

/** The pending value, and when it is not saved yet: ` (pending, saved: <active>)`; the line end. */
function value(w: Writer, k: i32): void {
  repr(w, k, settings.pendingPtr(k), settings.pendingLenOf(k));
  if (settings.isDirty(k)) {
    w.str(T(" (pending, saved: "));
    repr(w, k, settings.valuePtr(k), settings.valueLen(k));
    w.byte(41);
  }
  w.crlf();
}

function showLine(w: Writer, k: i32): void {
  w.str(settings.keyOf(k)).str(T(" = "));
  value(w, k);
}

function get(ap: usize, an: i32, w: Writer): bool {
  const k = oneKey(ap, an, C_GET, w);
  if (k >= 0) value(w, k);
  return k >= 0;
}

function set(ap: usize, an: i32, w: Writer): bool {
  const e = next(ap, an, 0);
  const kp = tp, kn = tn;
  rest(ap, an, e);
  let vp = tp, vn = tn;
  if (vn == 0) return usage(w, C_SET);
  const k = oneKey(kp, kn, C_SET, w);
  if (k < 0) return false;
  if (vn >= 2 && load<u8>(vp) == 34 && load<u8>(vp + <usize>(vn - 1)) == 34) { vp++; vn -= 2; }
  const mark = w.len;
  const m = check(k, vp, vn, fail(w));
  if (m < 0) { w.crlf(); return false; }
  w.len = mark;
  settings.setPending(k, norm, m);
  return true;
}

function unset(ap: usize, an: i32, w: Writer): bool {
  const k = oneKey(ap, an, C_UNSET, w);
  if (k >= 0) settings.unset(k);
  return k >= 0;
}

function save(w: Writer): bool {
  const r = store.save();
  if (r < 0) return kvError(w, T("save"), r);
  w.str(T("saved generation ")).dec(store.currentGeneration()).str(T(", ")).dec(r).str(T(" changed")).crlf();
  return true;
}

function kvError(w: Writer, what: Text, r: i32): bool {
  fail(w).str(what).str(T(" failed (kv error ")).int(r).byte(41).crlf();
  return false;
}

// ---- status, version, log

function status(w: Writer): void {
  app.statusNetwork(w.str(T("network: ")));
  app.statusRegistration(w.crlf().str(T("registration: ")));
  statusCall(w.crlf().str(T("call: ")));
  app.statusDoor(w.crlf().str(T("door: ")));
  w.crlf();
  const d = settings.dirtyCount();
  w.str(T("settings: "));
  if (store.currentSlot() < 0) w.str(T("defaults")); else w.str(T("generation ")).dec(store.currentGeneration());
  if (d > 0) w.str(T(", ")).dec(d).str(T(" unsaved changes"));
  w.crlf().str(T("uptime: ")).dec(<u64>(now() / 1000)).str(T(" s")).crlf();
}

const INFO_CAP: i32 = 64;
const info = memory.data(INFO_CAP);

function version(w: Writer): void {
  w.str(T("firmware ")).str(FIRMWARE_VERSION).crlf();
  for (let i = 0; i < 3; i++) {
    const name = wordAt(T("board|host|serial"), i);
    const r = hal.sys_info(textPtr(name), textLen(name), info, INFO_CAP);
    w.str(name).byte(32);
    if (r < 0) w.str(T("unknown"));
    else w.bytes(info, r < INFO_CAP ? r : INFO_CAP);
    w.crlf();
  }
}

function logLevel(ap: usize, an: i32, w: Writer): bool {
  const levels = settings.field(K_LOG_LEVEL, F_PATTERN);
  if (an == 0) {
    w.str(wordAt(levels, log.level)).crlf();
    return true;
  }
  const l = wordIndex(ap, an, levels);
  if (l < 0) {
    fail(w).str(T("log level must be one of ")).str(levels).crlf();
    return false;
  }
  log.setLevel(l);
  return true;
}

// ---- reboot

function reboot(w: Writer, factory: bool): bool {
  app.beforeReset(factory);
  if (factory) {
    const r = store.erase();
    if (r < 0) return kvError(w, T("factory-reset"), r);
    w.str(T("settings erased, "));
  }
  w.str(T("rebooting")).crlf();
  rebootRequested = true;
  return true;
}
