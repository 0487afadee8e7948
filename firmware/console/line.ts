// The console's line editor: bytes from the serial line in, one command line out, with the echo
// a terminal program needs (it does not echo locally). Line ends: CR, LF or CRLF (one end).
// Backspace (BS or DEL) removes the last character (a whole UTF-8 sequence) and echoes BS SP BS.
// Ctrl-C drops the line. ANSI escape sequences (arrow keys: ESC [ A, ESC O P) and other control
// bytes are ignored; bytes >= 0x80 (UTF-8) are taken. A line longer than CONSOLE_LINE_MAX bytes
// is rejected as a whole when it ends. The value of `set <secret key> ...` is echoed as `*`.
import { CONSOLE_LINE_MAX } from "../config";
import { Writer, eqNoCase } from "../sys/bytes";
import * as settings from "./settings";
import { T } from "../sys/text";

/** What feed() saw. */
export const L_NONE: i32 = 0;    // nothing to do yet
export const L_LINE: i32 = 1;    // a line is complete: buf, len (echo of CRLF done)
export const L_EMPTY: i32 = 2;   // an empty (or all-space) line ended: print the prompt
export const L_LONG: i32 = 3;    // an over-long line ended: say so
export const L_CANCEL: i32 = 4;  // Ctrl-C dropped the line

/** The line being edited. Valid after L_LINE until clear(). */
export const buf = memory.data(CONSOLE_LINE_MAX);
export let len: i32 = 0;

let tooLong = false;
let afterCr = false;
let esc = 0;          // 0 none, 1 after ESC, 2 inside CSI (ESC [), 3 after ESC O
let escLen = 0;
let maskFrom = -1;    // echo '*' from this offset (a secret's value)

/** Starts a new line (after a command ran). */
export function clear(): void {
  len = 0;
  tooLong = false;
  maskFrom = -1;
}

/** Takes one input byte, writes its echo into `echo`; returns L_*. */
export function feed(c: i32, echo: Writer): i32 {
  if (c == 13 || c == 10) {
    esc = 0;
    if (c == 10 && afterCr) { afterCr = false; return L_NONE; }
    afterCr = c == 13;
    echo.crlf();
    if (tooLong) { clear(); return L_LONG; }
    next(buf, len, 0);
    if (tn > 0) return L_LINE;
    clear();
    return L_EMPTY;
  }
  afterCr = false;
  if (c == 3) {
    esc = 0;
    echo.str(T("^C\r\n"));
    clear();
    return L_CANCEL;
  }
  if (esc != 0) {
    if (esc == 1) esc = c == 91 ? 2 : c == 79 ? 3 : 0;
    else if (esc == 3 || (c >= 0x40 && c <= 0x7e) || ++escLen > 16) esc = 0;
    return L_NONE;
  }
  if (c == 27) { esc = 1; escLen = 0; return L_NONE; }
  if (tooLong) return L_NONE;
  if (c == 8 || c == 127) {
    if (len == 0) return L_NONE;
    let n = len - 1;
    for (let g = 0; g < 3 && n > 0 && (load<u8>(buf + <usize>n) & 0xc0) == 0x80; g++) n--;
    len = n;
    if (len < maskFrom) maskFrom = -1;
    echo.str(T("\b \b"));
    return L_NONE;
  }
  if (c < 32) return L_NONE;
  if (len >= CONSOLE_LINE_MAX) { tooLong = true; return L_NONE; }
  store<u8>(buf + <usize>len, <u8>c);
  len++;
  if (maskFrom >= 0 && len > maskFrom) {
    if ((c & 0xc0) != 0x80) echo.byte(42);
  } else echo.byte(c);
  if (c == 32 && maskFrom < 0) maskFrom = secretValueStart();
  return L_NONE;
}

/** When the line so far is `set <secret key> ` (the space just typed), the offset after it. */
function secretValueStart(): i32 {
  const i = next(buf, len, 0);
  if (!eqNoCase(tp, tn, T("set")) || next(buf, len, i) != len - 1 || tn == 0) return -1;
  const k = settings.find(tp, tn);
  return k >= 0 && settings.isSecret(k) ? len : -1;
}

// ---- tokens: the line's words, as spans (the commands parse the line with these)

/** The token found by the last next() or rest(). */
export let tp: usize = 0;
export let tn: i32 = 0;

/** Takes the next space-separated token of [p, p+n) at or after i into tp/tn (tn 0: none);
 *  returns the index after it. */
export function next(p: usize, n: i32, i: i32): i32 {
  while (i < n && load<u8>(p + <usize>i) == 32) i++;
  const s = i;
  while (i < n && load<u8>(p + <usize>i) != 32) i++;
  tp = p + <usize>s;
  tn = i - s;
  return i;
}

/** Takes the rest of [p, p+n) from i, without surrounding spaces, into tp/tn. */
export function rest(p: usize, n: i32, i: i32): void {
  while (i < n && load<u8>(p + <usize>i) == 32) i++;
  while (n > i && load<u8>(p + <usize>(n - 1)) == 32) n--;
  tp = p + <usize>i;
  tn = n - i;
}
