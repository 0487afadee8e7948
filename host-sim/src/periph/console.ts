// The serial console as a peripheral: bytes in (typed, piped, or from the control API), bytes out.
// command() sends one line and resolves with the answer lines up to `ok` / `error: ...`.

export class ConsolePort {
  /** Observe output bytes (the terminal, a pty, a test). */
  onOutput: ((bytes: Uint8Array) => void) | null = null;
  /** Called when input arrives, so the firmware is woken. */
  onInput: (() => void) | null = null;

  private input: number[] = [];
  private lineBuf = "";
  private waiters: { lines: string[]; resolve: (lines: string[]) => void }[] = [];
  private readonly decoder = new TextDecoder();

  /** Injects input bytes or text. */
  type(data: string | Uint8Array): void {
    const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
    for (const b of bytes) this.input.push(b);
    this.onInput?.();
  }

  /** Sends one command line; resolves with its answer lines, the last being `ok` or `error: ...`. */
  command(line: string): Promise<string[]> {
    return new Promise((resolve) => {
      this.waiters.push({ lines: [], resolve });
      this.type(line + "\n");
    });
  }

  /** Lines waiting for an answer. */
  get busy(): boolean { return this.waiters.length > 0; }

  // ---- HAL side
  read(buf: Uint8Array): number {
    const n = Math.min(buf.length, this.input.length);
    for (let i = 0; i < n; i++) buf[i] = this.input[i]!;
    this.input.splice(0, n);
    return n;
  }

  write(data: Uint8Array): number {
    const copy = data.slice();
    this.onOutput?.(copy);
    this.collect(copy);
    return data.length;
  }

  private collect(bytes: Uint8Array): void {
    if (this.waiters.length === 0) return;
    this.lineBuf += this.decoder.decode(bytes, { stream: true });
    let nl: number;
    while ((nl = this.lineBuf.indexOf("\n")) >= 0) {
      const line = this.lineBuf.slice(0, nl).replace(/\r$/, "");
      this.lineBuf = this.lineBuf.slice(nl + 1);
      const w = this.waiters[0];
      if (!w) break;
      if (line === "" && w.lines.length === 0) continue;
      w.lines.push(line);
      if (line === "ok" || line.startsWith("error")) {
        this.waiters.shift();
        w.resolve(w.lines);
      }
    }
  }

}
