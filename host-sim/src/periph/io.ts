// Named inputs and outputs from the board file behind hal.io_* (the Zephyr gpio_emul way: inject
// an input, observe an output). Inputs report the active level (1 = pressed / door open) and the
// firmware debounces them itself (about 20 ms), so press() holds a button for a realistic time.
// Outputs remember the last value written: 0/1 for relays and LEDs, 0..255 for dimmable LEDs.
import { HalError } from "../hal/contract.js";
import type { Clock, ClockEvent } from "../clock.js";
import type { Board, IoKind } from "../board.js";
import type { IoBank } from "./stubs.js";

/** How long press() holds a button by default, ms. */
export const PRESS_MS = 100;

export interface IoLine {
  name: string;
  kind: IoKind;
  dir: "in" | "out";
  label?: string;
  value: number;
  /** Outputs: the power-on value. */
  initial: number;
}

export interface IoChange { t: number; name: string; value: number; dir: "in" | "out" }

export interface BoardIoConfig {
  clock: Clock;
  inputs: { name: string; kind: IoKind; label?: string }[];
  outputs: { name: string; kind: IoKind; label?: string; default?: number }[];
  /** Changes kept in `history` (default 1000). */
  historyMax?: number;
}

export class BoardIo implements IoBank {
  /** Wakes the firmware when an input changes. */
  onChange: (() => void) | null = null;
  /** Observe an output the firmware changed. */
  onOutput: ((name: string, value: number) => void) | null = null;
  /** Observe an input that was injected. */
  onInput: ((name: string, value: number) => void) | null = null;
  /** Recent changes of inputs and outputs, oldest first. */
  readonly history: IoChange[] = [];
  readonly lines: IoLine[] = [];
  private readonly byName = new Map<string, number>();
  private readonly releases = new Map<string, ClockEvent>();
  private readonly historyMax: number;

  constructor(private readonly config: BoardIoConfig) {
    this.historyMax = config.historyMax ?? 1000;
    for (const i of config.inputs) this.add({ name: i.name, kind: i.kind, dir: "in", label: i.label, value: 0, initial: 0 });
    for (const o of config.outputs) this.add({ name: o.name, kind: o.kind, dir: "out", label: o.label, value: o.default ?? 0, initial: o.default ?? 0 });
  }

  static fromBoard(board: Board, clock: Clock): BoardIo {
    return new BoardIo({ clock, inputs: board.inputs, outputs: board.outputs });
  }

  private add(l: IoLine): void {
    if (this.byName.has(l.name)) throw new Error(`io ${l.name} defined twice`);
    this.byName.set(l.name, this.lines.length);
    this.lines.push(l);
  }

  // ---- inspect

  has(name: string): boolean { return this.byName.has(name); }
  line(name: string): IoLine | undefined { const h = this.byName.get(name); return h === undefined ? undefined : this.lines[h]; }
  isInput(name: string): boolean { return this.line(name)?.dir === "in"; }
  isOutput(name: string): boolean { return this.line(name)?.dir === "out"; }

  /** The current value of an input or output; throws on an unknown name. */
  value(name: string): number { return this.need(name).value; }

  /** Every input's and output's current value. */
  state(): { inputs: Record<string, number>; outputs: Record<string, number> } {
    const inputs: Record<string, number> = {}, outputs: Record<string, number> = {};
    for (const l of this.lines) (l.dir === "in" ? inputs : outputs)[l.name] = l.value;
    return { inputs, outputs };
  }

  // ---- inject (throw on unknown names and on outputs: these are the harness's own mistakes)

  /** Sets an input's level: 1 = active (pressed, door open), 0 = inactive. */
  set(name: string, value: number): void {
    const l = this.need(name);
    if (l.dir !== "in") throw new Error(`${name} is an output; only inputs can be set`);
    if (!Number.isInteger(value) || value < 0 || value > 1) throw new RangeError(`${name}: an input is 0 or 1, got ${value}`);
    this.releases.get(name)?.cancel();
    this.releases.delete(name);
    this.change(l, value);
  }

  /** Presses a button: held for holdMs then released on the clock (holdMs null = held until release()). */
  press(name: string, holdMs: number | null = PRESS_MS): void {
    this.set(name, 1);
    if (holdMs !== null) this.releases.set(name, this.config.clock.after(holdMs, () => { this.releases.delete(name); this.change(this.need(name), 0); }));
  }

  release(name: string): void { this.set(name, 0); }

  // ---- HAL side

  find(name: string): number {
    if (name.length === 0 || name.length > 32) return HalError.E_INVAL;
    return this.byName.get(name) ?? HalError.E_NOTFOUND;
  }

  read(handle: number): number { return this.lines[handle]?.value ?? HalError.E_BADF; }

  write(handle: number, value: number): number {
    const l = this.lines[handle];
    if (!l) return HalError.E_BADF;
    if (l.dir !== "out") return HalError.E_INVAL;
    if (!Number.isInteger(value) || value < 0 || value > 255) return HalError.E_INVAL;
    this.change(l, l.kind === "dimmable_led" ? value : value ? 1 : 0);
    return HalError.OK;
  }

  /** The firmware restarted: outputs return to their power-on values (inputs keep their level). */
  reset(): void {
    for (const l of this.lines) if (l.dir === "out") this.change(l, l.initial);
  }

  // ---- internals

  private need(name: string): IoLine {
    const l = this.line(name);
    if (!l) throw new Error(`no io named ${name} on this board (${this.lines.map((x) => x.name).join(", ")})`);
    return l;
  }

  private change(l: IoLine, value: number): void {
    if (l.value === value) return;
    l.value = value;
    this.history.push({ t: this.config.clock.now(), name: l.name, value, dir: l.dir });
    if (this.history.length > this.historyMax) this.history.splice(0, this.history.length - this.historyMax);
    if (l.dir === "out") this.onOutput?.(l.name, value);
    else { this.onInput?.(l.name, value); this.onChange?.(); }
  }
}
