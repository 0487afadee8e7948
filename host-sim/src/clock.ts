// Time for the simulator: one integer millisecond clock and a queue of clock events (the avr8js
// way). Every peripheral schedules through it (the firmware's next tick, audio frames, network
// delivery with delay). Two kinds:
//   VirtualClock: time moves only when the test says so (advance/runUntil); an hour of protocol
//                 time runs in milliseconds and every run is the same.
//   RealClock:    follows the wall clock with setTimeout, for interactive use and interop.

export interface ClockEvent {
  readonly at: number;
  cancel(): void;
}

export interface Clock {
  readonly virtual: boolean;
  /** Milliseconds since the clock started. */
  now(): number;
  /** Runs fn once at time `at` (or as soon as possible when at <= now). */
  at(at: number, fn: () => void): ClockEvent;
  /** Runs fn after ms. */
  after(ms: number, fn: () => void): ClockEvent;
  /** Stops every pending event (shutdown). */
  stop(): void;
}

interface Entry extends ClockEvent {
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/** A binary min-heap of events ordered by (at, seq). */
class Queue {
  private heap: Entry[] = [];
  get size(): number { return this.heap.length; }
  peek(): Entry | undefined { return this.heap[0]; }
  push(e: Entry): void {
    const h = this.heap;
    h.push(e);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }
  pop(): Entry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1, r = l + 1;
        let m = i;
        if (l < h.length && less(h[l]!, h[m]!)) m = l;
        if (r < h.length && less(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
  clear(): void { this.heap = []; }
}

function less(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

export class VirtualClock implements Clock {
  readonly virtual = true;
  private t = 0;
  private seq = 0;
  private queue = new Queue();

  now(): number { return this.t; }

  at(at: number, fn: () => void): ClockEvent {
    const e: Entry = { at: Math.max(at, this.t), seq: this.seq++, fn, cancelled: false, cancel() { this.cancelled = true; } };
    this.queue.push(e);
    return e;
  }

  after(ms: number, fn: () => void): ClockEvent { return this.at(this.t + ms, fn); }

  /** Runs every event due up to and including `until`, in order, and leaves the clock there. */
  runUntil(until: number): void {
    for (;;) {
      const e = this.queue.peek();
      if (!e || e.at > until) break;
      this.queue.pop();
      if (e.cancelled) continue;
      this.t = e.at;
      e.fn();
    }
    if (until > this.t) this.t = until;
  }

  /** Advances time by ms, running what falls due. */
  advance(ms: number): void { this.runUntil(this.t + ms); }

  /** Advances until cond() holds (checked after each event), at most maxMs; returns whether it held. */
  runUntilTrue(cond: () => boolean, maxMs: number): boolean {
    const limit = this.t + maxMs;
    if (cond()) return true;
    for (;;) {
      const e = this.queue.peek();
      if (!e || e.at > limit) { this.t = Math.max(this.t, limit); return cond(); }
      this.queue.pop();
      if (e.cancelled) continue;
      this.t = e.at;
      e.fn();
      if (cond()) return true;
    }
  }

  /** The time of the next pending event, or null when nothing is scheduled. */
  nextAt(): number | null {
    for (;;) {
      const e = this.queue.peek();
      if (!e) return null;
      if (!e.cancelled) return e.at;
      this.queue.pop();
    }
  }

  /** Jumps to the next pending event's time and runs every event due then; false when idle. */
  step(): boolean {
    const at = this.nextAt();
    if (at === null) return false;
    this.runUntil(at);
    return true;
  }

  stop(): void { this.queue.clear(); }
}

/** Runs a VirtualClock inside a live Node process (intercom-sim --virtual-time): whenever the
 *  event loop is idle, the clock jumps to its next due event. I/O (console input, sockets, HTTP)
 *  is served between steps, so time runs as fast as the CPU allows while still reacting to input. */
export class VirtualTimeDriver {
  private running = false;
  private handle: NodeJS.Immediate | NodeJS.Timeout | null = null;
  constructor(readonly clock: VirtualClock, private readonly idlePollMs = 20) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop();
  }

  stop(): void {
    this.running = false;
    if (this.handle) { clearImmediate(this.handle as NodeJS.Immediate); clearTimeout(this.handle as NodeJS.Timeout); }
    this.handle = null;
  }

  /** Something was scheduled from outside the loop (input arrived): step soon. */
  kick(): void {
    if (!this.running) return;
    if (this.handle) { clearTimeout(this.handle as NodeJS.Timeout); clearImmediate(this.handle as NodeJS.Immediate); }
    this.handle = setImmediate(() => this.loop());
  }

  private loop(): void {
    this.handle = null;
    if (!this.running) return;
    const busy = this.clock.step();
    this.handle = busy ? setImmediate(() => this.loop()) : setTimeout(() => this.loop(), this.idlePollMs);
  }
}

export class RealClock implements Clock {
  readonly virtual = false;
  private readonly start = performance.now();
  private timers = new Set<NodeJS.Timeout>();

  now(): number { return Math.floor(performance.now() - this.start); }

  at(at: number, fn: () => void): ClockEvent {
    let cancelled = false;
    let handle: NodeJS.Timeout;
    // Node's timers may fire up to a millisecond before performance.now() reaches the time:
    // re-arm for the rest, so no event ever runs before its time.
    const arm = (): void => {
      handle = setTimeout(() => {
        this.timers.delete(handle);
        if (cancelled) return;
        if (this.now() < at) { arm(); return; }
        fn();
      }, Math.max(0, at - (performance.now() - this.start)));
      this.timers.add(handle);
    };
    arm();
    return { at, cancel: () => { cancelled = true; clearTimeout(handle); this.timers.delete(handle); } };
  }

  after(ms: number, fn: () => void): ClockEvent { return this.at(this.now() + ms, fn); }

  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
