// Turns io changes into short notices for the terminal: "[io] relay1 ON", "[io] button1 pressed",
// and for an LED that toggles quickly a single "[io] led_call blinking" until it settles, instead
// of a line per toggle.
import type { Clock, ClockEvent } from "../clock.js";
import type { IoKind } from "../board.js";

export interface IoReporterOptions {
  /** Changes within this window that make an LED "blinking" (default 4 in 2000 ms). */
  blinkChanges?: number;
  blinkWindowMs?: number;
  /** No change for this long ends blinking (default 1500 ms). */
  settleMs?: number;
}

interface Led { times: number[]; blinking: boolean; settle: ClockEvent | null; value: number }

export class IoReporter {
  private leds = new Map<string, Led>();
  private readonly changes: number;
  private readonly windowMs: number;
  private readonly settleMs: number;

  constructor(private readonly clock: Clock, private readonly print: (line: string) => void, o: IoReporterOptions = {}) {
    this.changes = o.blinkChanges ?? 4;
    this.windowMs = o.blinkWindowMs ?? 2000;
    this.settleMs = o.settleMs ?? 1500;
  }

  output(name: string, kind: IoKind, value: number): void {
    if (kind === "relay") { this.print(`[io] ${name} ${value ? "ON" : "OFF"}`); return; }
    const led = this.leds.get(name) ?? { times: [], blinking: false, settle: null, value };
    this.leds.set(name, led);
    const t = this.clock.now();
    led.value = value;
    led.times.push(t);
    while (led.times.length && led.times[0]! < t - this.windowMs) led.times.shift();
    led.settle?.cancel();
    led.settle = this.clock.after(this.settleMs, () => {
      led.settle = null;
      led.times = [];
      if (led.blinking) { led.blinking = false; this.print(`[io] ${name} ${this.level(kind, led.value)} (steady)`); }
    });
    if (led.blinking) return;
    if (led.times.length >= this.changes) { led.blinking = true; this.print(`[io] ${name} blinking`); return; }
    this.print(`[io] ${name} ${this.level(kind, value)}`);
  }

  input(name: string, kind: IoKind, value: number): void {
    const word = kind === "contact" ? (value ? "open" : "closed") : value ? "pressed" : "released";
    this.print(`[io] ${name} ${word}`);
  }

  private level(kind: IoKind, v: number): string { return kind === "dimmable_led" ? String(v) : v ? "on" : "off"; }
}
