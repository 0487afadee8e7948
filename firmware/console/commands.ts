// The console commands (docs/console.md): each answers into the console's Writer with zero or
// more result lines and then exactly one final line, `ok` or `error: <reason>`. The line is
// parsed in place (spans into the line buffer); nothing allocates. Secrets are masked wherever a
// value is written.
import * as hal from "../hal";
import { FIRMWARE_VERSION } from "../config";
import { Writer, parseIp4, eqLit } from "../sys/bytes";
import { now } from "../sys/clock";
import * as log from "../sys/log";
import * as settings from "./settings";
import { check } from "./validate";
import * as store from "./store";
import * as hooks from "./hooks";
import { StatusFn, ActionFn } from "./hooks";
import {
  help, helpKeys, commandIndex, usage, noKey, C_HELP, C_SHOW, C_GET, C_SET, C_UNSET, C_SAVE, C_REVERT,
  C_FACTORY_RESET, C_STATUS, C_CALL, C_HANGUP, C_OPEN, C_VERSION, C_REBOOT, C_LOG,
} from "./help";
import { T, Text } from "../sys/text";

/** Set by reboot and factory-reset: the console reboots once the answer is out. */
export let rebootRequested = false;
export function clearReboot(): void { rebootRequested = false; }

// The current token (a span into the line).
let tp: usize = 0;
let tn: i32 = 0;

/** Takes the next space-separated token at or after i into tp/tn; returns the index after it. */
function next(p: usize, n: i32, i: i32): i32 {
  while (i < n && load<u8>(p + <usize>i) == 32) i++;
  const s = i;
  while (i < n && load<u8>(p + <usize>i) != 32) i++;
  tp = p + <usize>s;
  tn = i - s;
  return i;
}

/** Takes the rest of the line from i, without surrounding spaces, into tp/tn. */
function rest(p: usize, n: i32, i: i32): void {
  while (i < n && load<u8>(p + <usize>i) == 32) i++;
  while (n > i && load<u8>(p + <usize>(n - 1)) == 32) n--;
  tp = p + <usize>i;
  tn = n - i;
}

function ok(w: Writer): void { w.str(T("ok")).crlf(); }
function fail(w: Writer, reason: Text): void { w.str(T("error: ")).str(reason).crlf(); }

/** Runs one command line [p, p+n) (not empty) and writes its answer into w. */
export function run(p: usize, n: i32, w: Writer): void {
  const i = next(p, n, 0);
  const c = commandIndex(tp, tn);
  rest(p, n, i);
  const ap = tp, an = tn; // the arguments, trimmed
  if (c < 0) { fail(w, T("unknown command (try help)")); return; }
  // commands without arguments
  if (c >= C_SAVE && c != C_CALL && c != C_LOG && an > 0) { usage(w, c); return; }
  switch (c) {
    case C_HELP: if (an == 0) help(w); else helpKeys(ap, an, w); break;
    case C_SHOW: show(ap, an, w); break;
    case C_GET: get(ap, an, w); break;
    case C_SET: set(ap, an, w); break;
    case C_UNSET: unset(ap, an, w); break;
    case C_SAVE: save(w); break;
    case C_REVERT: w.str(T("reverted ")).dec(settings.revert()).str(T(" changes")).crlf(); ok(w); break;
    case C_FACTORY_RESET: factoryReset(w); break;
    case C_STATUS: status(w); break;
    case C_CALL: call(ap, an, w); break;
    case C_HANGUP: action(hooks.hangup, w); break;
    case C_OPEN: action(hooks.open, w); break;
    case C_VERSION: version(w); break;
    case C_REBOOT: reboot(w); break;
    default: logLevel(ap, an, w);
  }
}

/** One key token in [kp, kp+kn) (nothing after it); writes a usage or `error: unknown key <key>`
 *  and returns -1 when there is none. */
function oneKey(kp: usize, kn: i32, cmd: i32, w: Writer): i32 {
  if (kn == 0 || next(kp, kn, 0) < kn) { usage(w, cmd); return -1; }
  const k = settings.find(kp, kn);
  if (k < 0) w.str(T("error: unknown key ")).bytes(kp, kn).crlf();
  return k;
}

// ---- values as the console shows them

/** A value as `show` and `get` write it: secrets that are set as ********, an empty value as "",
 *  a value with spaces at an end (or in quotes) in double quotes, so that `set` reads it back;
 *  also `ok` and `error...`, so that no result line looks like a final line. */
function repr(w: Writer, k: i32, p: usize, n: i32): void {
  if (n > 0 && settings.isSecret(k)) { w.str(T("********")); return; }
  let q = n == 0;
  if (n > 0) {
    const a = <i32>load<u8>(p), b = <i32>load<u8>(p + <usize>(n - 1));
    q = a == 32 || b == 32 || (n >= 2 && a == 34 && b == 34) || eqLit(p, n, T("ok")) || (n >= 5 && eqLit(p, 5, T("error")));
  }
  if (q) w.byte(34).bytes(p, n).byte(34);
  else w.bytes(p, n);
}

/** The pending value, and when it is not saved yet: ` (pending, saved: <active>)`. */
function value(w: Writer, k: i32): void {
  repr(w, k, settings.pendingPtr(k), settings.pendingLenOf(k));
  if (settings.isDirty(k)) {
    w.str(T(" (pending, saved: "));
    repr(w, k, settings.valuePtr(k), settings.valueLen(k));
    w.byte(41);
  }
}

// Longest line `show` writes: key, " = ", two quoted values at their maximum, the marker.
const SHOW_LINE_MAX: i32 = 32 + 2 * 260 + 24;

function show(ap: usize, an: i32, w: Writer): void {
  if (an > 0 && next(ap, an, 0) < an) { usage(w, C_SHOW); return; }
  let found = 0;
  for (let k = 0; k < settings.COUNT; k++) {
    if (!settings.keyStarts(k, ap, an)) continue;
    if (w.cap - w.len < SHOW_LINE_MAX) { w.overflow = true; return; } // console.ts: answer too long
    w.str(settings.schema(k).key).str(T(" = "));
    value(w, k);
    w.crlf();
    found++;
  }
  if (found == 0) { noKey(w, ap, an); return; }
  ok(w);
}

function get(ap: usize, an: i32, w: Writer): void {
  const k = oneKey(ap, an, C_GET, w);
  if (k < 0) return;
  value(w, k);
  w.crlf();
  ok(w);
}

const NORM_CAP: i32 = 256;
const norm = memory.data(NORM_CAP);

function set(ap: usize, an: i32, w: Writer): void {
  const e = next(ap, an, 0);
  const kp = tp, kn = tn;
  rest(ap, an, e);
  let vp = tp, vn = tn;
  if (vn == 0) { usage(w, C_SET); return; }
  const k = oneKey(kp, kn, C_SET, w);
  if (k < 0) return;
  if (vn >= 2 && load<u8>(vp) == 34 && load<u8>(vp + <usize>(vn - 1)) == 34) { vp++; vn -= 2; }
  const mark = w.len;
  w.str(T("error: "));
  const m = check(k, vp, vn, norm, w);
  if (m < 0) { w.crlf(); return; }
  w.len = mark;
  settings.setPending(k, norm, m);
  ok(w);
}

function unset(ap: usize, an: i32, w: Writer): void {
  const k = oneKey(ap, an, C_UNSET, w);
  if (k < 0) return;
  settings.unset(k);
  ok(w);
}

function save(w: Writer): void {
  const r = store.save();
  if (r < 0) { w.str(T("error: save failed (kv error ")).int(r).str(T(")")).crlf(); return; }
  w.str(T("saved generation ")).dec(store.currentGeneration()).str(T(", ")).dec(r).str(T(" changed")).crlf();
  ok(w);
}

// ---- status, version, log

function status(w: Writer): void {
  w.str(T("network: "));
  const net = hooks.statusNetwork;
  if (net !== null) net(w); else network(w);
  w.crlf();
  statusLine(w, T("registration: "), hooks.statusRegistration);
  statusLine(w, T("call: "), hooks.statusCall);
  statusLine(w, T("door: "), hooks.statusDoor);
  const d = settings.dirtyCount();
  w.str(T("settings: "));
  if (store.currentSlot() < 0) w.str(T("defaults")); else w.str(T("generation ")).dec(store.currentGeneration());
  if (d > 0) w.str(T(", ")).dec(d).str(T(" unsaved changes"));
  w.crlf();
  w.str(T("uptime: ")).dec(<u64>(now() / 1000)).str(T(" s")).crlf();
  ok(w);
}

function statusLine(w: Writer, name: Text, f: StatusFn | null): void {
  w.str(name);
  if (f !== null) f(w); else w.str(T("not available yet"));
  w.crlf();
}

/** Until a network module fills the slot: the local address toward the registrar (sip.domain
 *  when it is an IPv4 address, else the documentation address 192.0.2.1; nothing is sent). */
function network(w: Writer): void {
  let dest: u32 = 0xc0000201;
  const p = settings.valuePtr(settings.K_SIP_DOMAIN);
  let n = settings.valueLen(settings.K_SIP_DOMAIN);
  for (let i = 0; i < n; i++) if (load<u8>(p + <usize>i) == 58) { n = i; break; }
  const ip = parseIp4(p, n);
  if (ip >= 0) dest = <u32>ip;
  const local = hal.net_local_ip(dest);
  if (local == 0) w.str(T("down"));
  else w.str(T("up, ip ")).ip4(local);
}

const INFO_CAP: i32 = 64;
const info = memory.data(INFO_CAP);

function sysInfo(w: Writer, name: Text, keyPtr: usize, keyLen: i32): void {
  w.str(name).byte(32);
  const r = hal.sys_info(keyPtr, keyLen, info, INFO_CAP);
  if (r < 0) w.str(T("unknown"));
  else w.bytes(info, r < INFO_CAP ? r : INFO_CAP);
  w.crlf();
}

const K_BOARD = memory.data<u8>([0x62, 0x6f, 0x61, 0x72, 0x64]);          // "board"
const K_HOST = memory.data<u8>([0x68, 0x6f, 0x73, 0x74]);                 // "host"
const K_SERIAL = memory.data<u8>([0x73, 0x65, 0x72, 0x69, 0x61, 0x6c]);   // "serial"

function version(w: Writer): void {
  w.str(T("firmware ")).str(FIRMWARE_VERSION).crlf();
  sysInfo(w, T("board"), K_BOARD, 5);
  sysInfo(w, T("host"), K_HOST, 4);
  sysInfo(w, T("serial"), K_SERIAL, 6);
  ok(w);
}

function logLevel(ap: usize, an: i32, w: Writer): void {
  if (an == 0) {
    const m = settings.choiceCopy(settings.K_LOG_LEVEL, log.level, norm);
    w.bytes(norm, m).crlf();
    ok(w);
    return;
  }
  const l = settings.choiceIndex(settings.K_LOG_LEVEL, ap, an);
  if (l < 0) { w.str(T("error: log level must be one of ")).str(settings.schema(settings.K_LOG_LEVEL).pattern).crlf(); return; }
  log.setLevel(l);
  ok(w);
}

// ---- actions of other modules, reboot

function call(ap: usize, an: i32, w: Writer): void {
  if (an == 0) { usage(w, C_CALL); return; }
  const f = hooks.call;
  if (f === null) { fail(w, T("not available yet")); return; }
  done(w, f(ap, an, w));
}

function action(f: ActionFn | null, w: Writer): void {
  if (f === null) { fail(w, T("not available yet")); return; }
  done(w, f(w));
}

function done(w: Writer, reason: Text): void {
  if (reason == 0) ok(w); else fail(w, reason);
}

function reboot(w: Writer): void {
  const f = hooks.beforeReset;
  if (f !== null) f(false);
  w.str(T("rebooting")).crlf();
  ok(w);
  rebootRequested = true;
}

function factoryReset(w: Writer): void {
  const f = hooks.beforeReset;
  if (f !== null) f(true);
  const r = store.erase();
  if (r < 0) { w.str(T("error: factory-reset failed (kv error ")).int(r).str(T(")")).crlf(); return; }
  w.str(T("settings erased, rebooting")).crlf();
  ok(w);
  rebootRequested = true;
}
