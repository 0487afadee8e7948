// The simulator's terminal: the firmware's serial console on stdin/stdout, plus the simulator's
// own keys and dot-commands, plus notices (io changes, log lines) that never garble the line being
// typed. On a TTY stdin is in raw mode: every byte goes to the firmware, which echoes and prints
// its own "> " prompt; Enter (CR) is sent as LF (what a tty's ICRNL would do). The simulator keeps
// Ctrl-C (quit), Ctrl-B (call button), Ctrl-E (exit button) and lines that start with "." for
// itself. Piped stdin works line by line. A notice clears the current line, prints itself and
// redraws what was there (the firmware's partial line: its prompt and echoed input).

export type Key = "call" | "exit";

export interface TerminalOptions {
  input: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  output: NodeJS.WritableStream;
  /** Where notices go when not on a TTY (stderr), so stdout stays the console's. */
  noticeOutput: NodeJS.WritableStream;
  /** Raw TTY mode (stdin and stdout are a terminal). */
  tty: boolean;
  /** Lines that are not dot-commands go to the firmware (false when the console is on a pty). */
  consoleHere: boolean;
  toFirmware: (bytes: Uint8Array) => void;
  onDot: (line: string) => string[];
  onKey: (k: Key) => void;
  onQuit: () => void;
  /** stdin ended (piped input is exhausted). */
  onEnd: () => void;
}

const enc = new TextEncoder();

export class Terminal {
  private fwLine = "";
  private dot: string | null = null;
  private typed = 0;
  private esc = 0;          // 0 none, 1 after ESC, 2 inside CSI/SS3
  private lineBuf = "";
  private readonly dec = new TextDecoder();
  private closed = false;

  constructor(private readonly o: TerminalOptions) {}

  start(): void {
    const input = this.o.input;
    if (this.o.tty && input.setRawMode) input.setRawMode(true);
    input.on("data", (d: Buffer) => (this.o.tty ? this.rawInput(d) : this.lineInput(d.toString("utf8"))));
    input.on("end", () => {
      if (!this.o.tty && this.lineBuf.length) { const l = this.lineBuf; this.lineBuf = ""; this.line(l); }
      this.o.onEnd();
    });
    input.resume();
  }

  /** Restores the terminal (cooked mode) and stops reading. */
  stop(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.o.tty && this.o.input.setRawMode) this.o.input.setRawMode(false);
    this.o.input.pause();
  }

  /** Output from the firmware's console. */
  firmwareOutput(bytes: Uint8Array): void {
    const text = this.dec.decode(bytes, { stream: true });
    if (this.o.tty && this.dot !== null) {
      this.o.output.write("\r\x1b[K");
      this.o.output.write(bytes);
      this.track(text);
      this.o.output.write(this.fwLine + "." + this.dot);
      return;
    }
    this.o.output.write(bytes);
    this.track(text);
  }

  /** A line from the simulator itself, on its own line. */
  notice(text: string): void {
    if (!this.o.tty) { this.o.noticeOutput.write(text + "\n"); return; }
    this.o.output.write("\r\x1b[K" + text + "\r\n" + this.fwLine + (this.dot !== null ? "." + this.dot : ""));
  }

  /** Plain output (banner, dot-command results) at the start of a line. */
  print(lines: string[]): void {
    if (!lines.length) return;
    const nl = this.o.tty ? "\r\n" : "\n";
    this.o.output.write(lines.join(nl) + nl);
  }

  // ---- input

  private lineInput(text: string): void {
    this.lineBuf += text;
    let nl: number;
    while ((nl = this.lineBuf.indexOf("\n")) >= 0) {
      const l = this.lineBuf.slice(0, nl).replace(/\r$/, "");
      this.lineBuf = this.lineBuf.slice(nl + 1);
      this.line(l);
    }
  }

  private line(l: string): void {
    if (l.startsWith(".")) { this.print(this.o.onDot(l)); return; }
    if (this.o.consoleHere) this.o.toFirmware(enc.encode(l + "\n"));
    else if (l.trim()) this.print(["the console is on the pseudo-terminal; here only .commands (.help)"]);
  }

  private rawInput(d: Buffer): void {
    const fw: number[] = [];
    const flush = (): void => { if (fw.length) { this.o.toFirmware(Uint8Array.from(fw)); fw.length = 0; } };
    for (const b of d) {
      if (b === 0x03) { flush(); this.o.onQuit(); return; }
      if (this.dot !== null) { this.dotByte(b); continue; }
      if (b === 0x02) { flush(); this.o.onKey("call"); continue; }
      if (b === 0x05) { flush(); this.o.onKey("exit"); continue; }
      if (b === 0x04 && this.typed === 0) { flush(); this.o.onQuit(); return; }
      if (this.esc === 0 && b === 0x2e && this.typed === 0 && this.o.consoleHere) { flush(); this.dot = ""; this.o.output.write("."); continue; }
      if (!this.o.consoleHere) { this.dotStartLocal(b); continue; }
      fw.push(b === 0x0d ? 0x0a : b);
      this.count(b);
    }
    flush();
  }

  /** Console on a pty: the local terminal takes only dot-commands. */
  private dotStartLocal(b: number): void {
    if (b === 0x2e) { this.dot = ""; this.o.output.write("."); }
    else if (b === 0x0d || b === 0x0a) this.o.output.write("\r\n");
  }

  /** Tracks how much the user typed on the current line (escape sequences do not count). */
  private count(b: number): void {
    if (this.esc === 1) { this.esc = b === 0x5b || b === 0x4f ? 2 : 0; return; }
    if (this.esc === 2) { if (b >= 0x40 && b <= 0x7e) this.esc = 0; return; }
    if (b === 0x1b) this.esc = 1;
    else if (b === 0x0d || b === 0x0a || b === 0x15) this.typed = 0;
    else if (b === 0x7f || b === 0x08) this.typed = Math.max(0, this.typed - 1);
    else if (b >= 0x20) this.typed++;
  }

  private dotByte(b: number): void {
    const out = this.o.output;
    if (this.esc) { this.count(b); return; }
    if (b === 0x1b) { this.esc = 1; return; }
    if (b === 0x0d || b === 0x0a) {
      const l = "." + this.dot;
      this.dot = null;
      this.typed = 0;
      out.write("\r\n");
      this.print(this.o.onDot(l));
      out.write(this.fwLine);
      return;
    }
    if (b === 0x7f || b === 0x08) {
      out.write("\b \b");
      if (this.dot === "") this.dot = null;
      else this.dot = this.dot!.slice(0, -1);
      return;
    }
    if (b === 0x15) { out.write("\r\x1b[K" + this.fwLine); this.dot = null; return; }
    if (b >= 0x20 && b < 0x7f && this.dot!.length < 200) { this.dot += String.fromCharCode(b); out.write(String.fromCharCode(b)); }
  }

  /** Keeps the text after the last newline the firmware printed (escape sequences stripped). */
  private track(text: string): void {
    const nl = Math.max(text.lastIndexOf("\n"), text.lastIndexOf("\r"));
    let tail = nl >= 0 ? text.slice(nl + 1) : this.fwLine + text;
    // eslint-disable-next-line no-control-regex
    tail = tail.replace(/\x1b\[[0-9;?]*[@-~]/g, "").replace(/\x1b./g, "");
    while (tail.includes("\b")) tail = tail.replace(/[^\b]?\x08/, "");
    this.fwLine = tail.length > 400 ? tail.slice(-400) : tail;
  }
}
