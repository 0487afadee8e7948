// The serial console: bytes from hal.console_read through the line editor (line.ts) to the
// commands (commands.ts), answers into one static output buffer handed to hal.console_write.
// Prompt `> ` after the boot banner and after every answer; output lines end with CRLF.
//
// Flow control: input is taken only while the output buffer is empty, so an answer always fits;
// when the host's queue is full (E_AGAIN) the rest of the output waits here and goes out on later
// ticks, and unprocessed input bytes wait in the input buffer. A reboot asked for by a command
// happens once its answer is out.
import * as hal from "../hal";
import { CONSOLE_IN_CAP, CONSOLE_LINE_MAX, CONSOLE_OUT_CAP, CONSOLE_WRITE_CHUNK, FIRMWARE_VERSION } from "../config";
import { Writer } from "../sys/bytes";
import * as line from "./line";
import { L_NONE, L_LINE, L_LONG } from "./line";
import * as commands from "./commands";
import { T } from "../sys/text";

const inBuf = memory.data(CONSOLE_IN_CAP);
let inPos: i32 = 0;
let inLen: i32 = 0;

/** The output buffer: echo and answers; `sent` bytes of it are out already. */
export const out = new Writer(memory.data(CONSOLE_OUT_CAP), CONSOLE_OUT_CAP);
let sent: i32 = 0;

// Room kept back while a command writes its answer: an error line and the prompt.
const RESERVE: i32 = 64;
// Rounds per poll (each: one read of input, or one command): bounds the time of a tick.
const ROUNDS: i32 = 16;
let more = false;

/** Prints the boot banner and the first prompt. */
export function init(): void {
  out.reset();
  sent = 0;
  inPos = inLen = 0;
  line.clear();
  out.crlf().str(T("sip-intercom ")).str(FIRMWARE_VERSION).str(T(", type help for commands")).crlf().str(T("> "));
  flush();
}

/** True while output waits for the host or input waits for processing: tick again soon. */
export function busy(): bool { return sent < out.len || inPos < inLen || more || commands.rebootRequested; }

/** Hands pending output to the host; true when all of it is out. Drops it when the host fails. */
function flush(): bool {
  for (let guard = 0; guard < CONSOLE_OUT_CAP / CONSOLE_WRITE_CHUNK + 1 && sent < out.len; guard++) {
    let n = out.len - sent;
    if (n > CONSOLE_WRITE_CHUNK) n = CONSOLE_WRITE_CHUNK;
    const r = hal.console_write(out.base + <usize>sent, n);
    if (r == hal.E_AGAIN || r == 0) return false;
    if (r < 0) break; // the port failed: what was not sent is lost
    sent += r < n ? r : n;
  }
  out.reset();
  sent = 0;
  return true;
}

/** Runs from the tick loop: output first, then input, a bounded amount per call. */
export function poll(): void {
  more = false;
  for (let round = 0; ; round++) {
    if (!flush()) return;
    if (commands.rebootRequested) { commands.clearReboot(); hal.sys_reboot(); return; }
    if (round == ROUNDS) { more = true; return; }
    if (inPos >= inLen) {
      const n = hal.console_read(inBuf, CONSOLE_IN_CAP);
      if (n <= 0) return;
      inPos = 0;
      inLen = n < CONSOLE_IN_CAP ? n : CONSOLE_IN_CAP;
    }
    while (inPos < inLen) {
      const r = line.feed(<i32>load<u8>(inBuf + <usize>(inPos++)), out);
      if (r == L_NONE) continue;
      if (r == L_LINE) execute();
      else if (r == L_LONG) out.str(T("error: line too long (max ")).dec(CONSOLE_LINE_MAX).str(T(" bytes)")).crlf();
      out.str(T("> "));
      break;
    }
  }
}

/** Runs the completed line; an answer that would not fit is replaced by an error. */
function execute(): void {
  const mark = out.len;
  out.cap = CONSOLE_OUT_CAP - RESERVE;
  commands.run(line.buf, line.len, out);
  out.cap = CONSOLE_OUT_CAP;
  if (out.overflow) {
    out.len = mark;
    out.overflow = false;
    out.str(T("error: answer too long")).crlf();
  }
  line.clear();
}
