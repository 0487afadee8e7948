// The command table as one text: line i is command i's usage and what it does. `help` prints it,
// the dispatcher finds commands by its first words, usage errors quote its first column. One
// literal instead of many keeps the data segment small (literals are UTF-16 objects).
// `help <prefix>` describes the settings from the schema.
import { Writer, lower } from "../sys/bytes";
import * as settings from "./settings";
import { T_STR, T_INT, T_ENUM, T_HOST, T_URI, T_LIST } from "./settings";
import { T, textLen, textAt } from "../sys/text";

// Command indices: the lines of HELP, in order.
export const C_HELP: i32 = 0;
export const C_SHOW: i32 = 1;
export const C_GET: i32 = 2;
export const C_SET: i32 = 3;
export const C_UNSET: i32 = 4;
export const C_SAVE: i32 = 5;
export const C_REVERT: i32 = 6;
export const C_FACTORY_RESET: i32 = 7;
export const C_STATUS: i32 = 8;
export const C_CALL: i32 = 9;
export const C_HANGUP: i32 = 10;
export const C_OPEN: i32 = 11;
export const C_VERSION: i32 = 12;
export const C_REBOOT: i32 = 13;
export const C_LOG: i32 = 14;

const HELP = T(`help [prefix]      commands, or help on settings
show [prefix]      settings
get <key>          one setting
set <key> <value>  change a setting (until save)
unset <key>        back to the default (until save)
save               store the changes, run on them
revert             drop the changes
factory-reset      erase all settings, reboot
status             network, registration, call, door
call <target>      call a number or SIP URI
hangup             end the call
open               open the door
version            firmware, board, host
reboot             restart
log [level]        error|warn|info|debug|trace`);

/** `help`: the command list. */
export function help(w: Writer): void {
  const n = textLen(HELP);
  for (let i = 0; i < n; i++) {
    const c = textAt(HELP, i);
    if (c == 10) w.crlf(); else w.byte(c);
  }
  w.crlf().str(T("ok")).crlf();
}

/** Index of the command named by [p, p+n) (ASCII case-insensitive), or -1. */
export function commandIndex(p: usize, n: i32): i32 {
  const m = textLen(HELP);
  let idx = 0, start = 0;
  while (start < m) {
    let j = 0;
    while (j < n && start + j < m && lower(<i32>load<u8>(p + <usize>j)) == textAt(HELP, start + j)) j++;
    if (j == n && n > 0 && start + j < m && textAt(HELP, start + j) == 32) return idx;
    while (start < m && textAt(HELP, start) != 10) start++;
    start++;
    idx++;
  }
  return -1;
}

/** Writes `error: usage: <syntax of command idx>` and the line end. */
export function usage(w: Writer, idx: i32): void {
  const m = textLen(HELP);
  let i = 0;
  for (let l = 0; l < idx && i < m; i++) if (textAt(HELP, i) == 10) l++;
  w.str(T("error: usage: "));
  while (i < m && !(textAt(HELP, i) == 32 && textAt(HELP, i + 1) == 32)) w.byte(textAt(HELP, i++));
  w.crlf();
}

/** `help <prefix>`: `key: type, default value - help` for every key that starts with prefix. */
export function helpKeys(p: usize, n: i32, w: Writer): void {
  let found = 0;
  for (let k = 0; k < settings.COUNT; k++) {
    if (!settings.keyStarts(k, p, n)) continue;
    const s = settings.schema(k);
    w.str(s.key).str(T(": "));
    const t = s.type;
    if (t == T_INT) { w.dec(s.min).str(T("..")).dec(s.max); if (textLen(s.pattern) > 0) w.byte(32).str(s.pattern); }
    else if (t == T_ENUM) w.str(s.pattern);
    else if (t == T_STR) w.str(T("text, max ")).dec(s.max);
    else if (t == T_HOST) w.str(T("host[:port]"));
    else if (t == T_URI) w.str(T("SIP URI"));
    else if (t == T_LIST) w.str(T("SIP URIs, numbers")).str(textLen(s.pattern) > 0 ? T(", *") : T(""));
    else w.str(T("DTMF 0-9*#A-D, max ")).dec(s.max);
    if (s.secret) w.str(T(", secret"));
    w.str(T(", default "));
    if (textLen(s.def) == 0) w.byte(34).byte(34); else w.str(s.def);
    w.str(T(" - ")).str(s.help).crlf();
    found++;
  }
  if (found == 0) { noKey(w, p, n); return; }
  w.str(T("ok")).crlf();
}

/** `error: no key starts with <prefix>`. */
export function noKey(w: Writer, p: usize, n: i32): void {
  w.str(T("error: no key starts with ")).bytes(p, n).crlf();
}
