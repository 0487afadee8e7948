// The command table as one text: line i is command i's usage and what it does. `help` prints it,
// usage errors quote its first column; NAMES lists the commands for the dispatcher. `help <prefix>` describes the settings from the schema.
import { Writer } from "../sys/bytes";
import { wordIndex, wordAt } from "../sys/words";
import * as settings from "./settings";
import { T_INT, T_ENUM, F_DEF, F_PATTERN, F_HELP, F_MIN, F_MAX } from "./settings";
import { T, textAt } from "../sys/text";

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

// Lines end in CRLF (the \r before each line break), as the console writes them.
export const HELP = T(`help [prefix]      commands, or help on settings\r
show [prefix]      settings\r
get <key>          one setting\r
set <key> <value>  change a setting (until save)\r
unset <key>        back to the default (until save)\r
save               store the changes, run on them\r
revert             drop the changes\r
factory-reset      erase all settings, reboot\r
status             network, registration, call, door\r
call <target>      call a number or SIP URI\r
hangup             end the call\r
open               open the door\r
version            firmware, board, host\r
reboot             restart\r
log [level]        error|warn|info|debug|trace`);

/** The command names, in the order of HELP. */
const NAMES = T("help|show|get|set|unset|save|revert|factory-reset|status|call|hangup|open|version|reboot|log");

/** Index of the command named by [p, p+n) (ASCII case-insensitive), or -1. */
export function commandIndex(p: usize, n: i32): i32 { return wordIndex(p, n, NAMES); }

/** Writes `error: usage: <syntax of command idx>` and the line end; returns false (not ok). */
export function usage(w: Writer, idx: i32): bool {
  let i = 0;
  for (let l = 0; l < idx; i++) if (textAt(HELP, i) == 10) l++;
  w.str(T("error: usage: "));
  while (!(textAt(HELP, i) == 32 && textAt(HELP, i + 1) == 32)) w.byte(textAt(HELP, i++));
  w.crlf();
  return false;
}

/** What values a key takes, by type (T_INT and T_ENUM: from the schema). */
const KINDS = T("text|||host[:port]|SIP URI|SIP URIs, numbers|SIP URIs, numbers, *|DTMF 0-9*#A-D");

/** One line of `help <prefix>`: `key: values[, secret], default value - help`. */
export function helpLine(w: Writer, k: i32): void {
  const t = settings.typeOf(k);
  const pat = settings.field(k, F_PATTERN);
  const def = settings.field(k, F_DEF);
  w.str(settings.keyOf(k)).str(T(": "));
  if (t == T_INT) {
    w.dec(settings.field(k, F_MIN)).str(T("..")).dec(settings.field(k, F_MAX));
    if (pat != 0) w.byte(32).str(pat);
  } else if (t == T_ENUM) w.str(pat);
  else w.str(wordAt(KINDS, t)).str(T(", max ")).dec(settings.field(k, F_MAX));
  if (settings.isSecret(k)) w.str(T(", secret"));
  w.str(T(", default "));
  if (def == 0) w.byte(34).byte(34); else w.str(def);
  w.str(T(" - ")).str(settings.field(k, F_HELP)).crlf();
}
