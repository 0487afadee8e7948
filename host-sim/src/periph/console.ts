// The serial console as a peripheral: bytes in (typed, piped, or from the control API), bytes out
// (the firmware's echo, answers and prompt; docs/console.md).
//
// command(line) sends one line and resolves with its answer lines, without the echo and the
// prompt, the last being `ok` or `error: ...`. Commands are queued and sent one at a time, each
// once the previous one has its final line, so answers can never be confused. The answer starts
// after the echo of the line: the first output line after sending that reads `> ` + the line
// (the firmware echoes a secret's value as `*`, which is accepted in place of any character);
// anything before it (a boot banner, a stale prompt) is skipped. Works on the virtual clock (the
// caller advances it until the promise resolves, or uses `busy`) and on the real clock.

import { VirtualClock, type Clock } from "../clock.js";

export const PROMPT = "> ";

interface Pending {
  line: string;
  resolve: (lines: string[]) => void;
  reject: (err: Error) => void;
  /** Set once the echo was seen: the answer lines so far. */
  answer: string[] | null;
}

export class ConsolePort {
  /** Observe output bytes (the terminal, a pty, a test). */
  onOutput: ((bytes: Uint8Array) => void) | null = null;
  /** Called when input arrives, so the firmware is woken. */
  onInput: (() => void) | null = null;

  private input: number[] = [];
  private inputPos = 0;
  /** Output text since the last line end (the prompt and echo of the line being typed). */
  private partial = "";
  private queue: Pending[] = [];
  private sent = false;
  private readonly decoder = new TextDecoder();
  private readonly encoder = new TextEncoder();

  /** Injects input bytes or text (as typed on the terminal). */
  type(data: string | Uint8Array): void {
    const bytes = typeof data === "string" ? this.encoder.encode(data) : data;
    for (const b of bytes) this.input.push(b);
    this.onInput?.();
  }

  /** Sends one command line; resolves with its answer lines, the last being `ok` or `error: ...`.
   *  Rejects a line that is empty or has a line break or other control character, and when the
   *  port is aborted (the device stopped). */
  command(line: string): Promise<string[]> {
    // eslint-disable-next-line no-control-regex
    if (line.trim() === "" || /[\x00-\x1f\x7f]/.test(line)) {
      return Promise.reject(new Error(`console: not a command line: ${JSON.stringify(line)}`));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ line, resolve, reject, answer: null });
      this.sendNext();
    });
  }

  /** True while a command waits for its answer (or to be sent). */
  get busy(): boolean { return this.queue.length > 0; }
  /** Commands waiting (the one sent and those queued behind it). */
  get queued(): number { return this.queue.length; }
  /** Commands answered so far (counts up synchronously, when the final line arrives). */
  answered = 0;

  /** Fails every queued command (the device was switched off or restarted mid-answer) and drops
   *  typed input the firmware has not read. */
  abort(reason = "console aborted"): void {
    const q = this.queue;
    this.queue = [];
    this.sent = false;
    this.input = [];
    this.inputPos = 0;
    for (const p of q) p.reject(new Error(reason));
  }

  private sendNext(): void {
    if (this.sent || this.queue.length === 0) return;
    this.sent = true;
    this.type(this.queue[0]!.line + "\r\n");
  }

  // ---- HAL side
  read(buf: Uint8Array): number {
    const n = Math.min(buf.length, this.input.length - this.inputPos);
    for (let i = 0; i < n; i++) buf[i] = this.input[this.inputPos + i]!;
    this.inputPos += n;
    if (this.inputPos === this.input.length) { this.input = []; this.inputPos = 0; }
    return n;
  }

  write(data: Uint8Array): number {
    const copy = data.slice();
    this.onOutput?.(copy);
    this.collect(copy);
    return data.length;
  }

  private collect(bytes: Uint8Array): void {
    this.partial += this.decoder.decode(bytes, { stream: true });
    let nl: number;
    while ((nl = this.partial.indexOf("\n")) >= 0) {
      const line = this.partial.slice(0, nl).replace(/\r$/, "");
      this.partial = this.partial.slice(nl + 1);
      this.takeLine(line);
    }
  }

  private takeLine(line: string): void {
    const p = this.queue[0];
    if (!p || !this.sent) return; // output nobody asked for (banner, typed by hand)
    if (p.answer === null) {
      if (isEcho(line, p.line)) p.answer = [];
      return;
    }
    p.answer.push(line);
    if (line === "ok" || line.startsWith("error: ")) {
      this.queue.shift();
      this.sent = false;
      this.answered++;
      p.resolve(p.answer);
      this.sendNext();
    }
  }
}

/** True when an output line is the firmware's echo of `typed`: the prompt, then the typed text
 *  with any characters (of a secret value) shown as `*`. A non-empty beginning of it counts too:
 *  the firmware stops echoing a line that is too long (and then answers with an error). */
export function isEcho(line: string, typed: string): boolean {
  if (!line.startsWith(PROMPT)) return false;
  const echo = Array.from(line.slice(PROMPT.length));
  const want = Array.from(typed);
  if (echo.length === 0 || echo.length > want.length) return false;
  for (let i = 0; i < echo.length; i++) if (echo[i] !== want[i] && echo[i] !== "*") return false;
  return true;
}

/** Runs one console command to its answer. On a VirtualClock it advances the clock until the
 *  answer is in (at most maxMs of virtual time); on a real clock it waits (at most maxMs). With
 *  no answer in time the port is aborted (every queued command fails). */
export async function runCommand(port: ConsolePort, clock: Clock, line: string, maxMs = 10000): Promise<string[]> {
  const target = port.answered + port.queued + 1;
  const answer = port.command(line);
  if (clock instanceof VirtualClock) {
    if (!clock.runUntilTrue(() => port.answered >= target, maxMs)) {
      port.abort(`console: no answer to ${JSON.stringify(line)} within ${maxMs} ms`);
    }
    return answer;
  }
  const timer = setTimeout(() => port.abort(`console: no answer to ${JSON.stringify(line)} within ${maxMs} ms`), maxMs);
  try { return await answer; } finally { clearTimeout(timer); }
}
