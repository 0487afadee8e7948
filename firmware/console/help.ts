// The command table: each command's usage (the dispatcher finds commands by its first word,
// usage errors quote it) and what it does; `help` prints both. `help <prefix>` describes the
// settings from the schema.
import { Writer } from "../sys/bytes";
import { wordIndex, wordAt } from "../sys/words";
import * as settings from "./settings";
import { T_INT, T_ENUM, F_DEF, F_PATTERN, F_HELP, F_MIN, F_MAX } from "./settings";
import { T, textLen } from "../sys/text";

// Command indices, in the order of USAGES.
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

/** Usage of each command, in the order of the C_* indices, and what each does. */
const USAGES = T("help [prefix]|show [prefix]|get <key>|set <key> <value>|unset <key>|save|revert|factory-reset|status|call <target>|hangup|open|version|reboot|log [level]");
const WHAT = T("commands, or help on settings|settings|one setting|change a setting (until save)|back to the default (until save)|store the changes, run on them|drop the changes|erase all settings, reboot|network, registration, call, door|call a number or SIP URI|end the call|open the door|firmware, board, host|restart|show or set the log level");
const COMMANDS: i32 = 15;

/** `help`: one line per command, its usage and what it does. */
export function help(w: Writer): void {
  for (let c = 0; c < COMMANDS; c++) {
    const u = wordAt(USAGES, c);
    w.str(u);
    for (let i = textLen(u); i < 19; i++) w.byte(32);
    w.str(wordAt(WHAT, c)).crlf();
  }
}

/** The command names, in the order of USAGES. */
const NAMES = T("help|show|get|set|unset|save|revert|factory-reset|status|call|hangup|open|version|reboot|log");

/** Index of the command named by [p, p+n) (ASCII case-insensitive), or -1. */
export function commandIndex(p: usize, n: i32): i32 { return wordIndex(p, n, NAMES); }

/** Writes `error: usage: <usage of command c>` and the line end; returns false (not ok). */
export function usage(w: Writer, c: i32): bool {
  w.str(T("error: usage: ")).str(wordAt(USAGES, c)).crlf();
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
  w.str(def == 0 ? T("\"\"") : def);
  w.str(T(" - ")).str(settings.field(k, F_HELP)).crlf();
}
