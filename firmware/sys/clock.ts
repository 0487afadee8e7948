// Clock and timers. Time enters the firmware only here: main.tick() sets it from the host's
// argument, and every protocol timer is a Timer on this clock, so host-sim can run an hour of
// protocol time in milliseconds on its virtual clock (STYLE practice 4).
//
// Timers are owned objects created at start-up (no allocation when started); active timers sit in
// one list sorted by due time. A timer's callback is a plain function (no closures in
// AssemblyScript): owners find their context through `ctx`.

let nowMs: i64 = 0;

/** Milliseconds since boot, as of the current tick. */
// @ts-ignore: decorator
@inline export function now(): i64 { return nowMs; }

/** Sets the clock (main.tick only). Time never goes backwards. */
export function setNow(t: i64): void { if (t > nowMs) nowMs = t; }

export type TimerFn = (t: Timer) => void;

let head: Timer | null = null;

// @final with an explicit return: built over a zero-filled __new block (idle, not linked); the
// constructor sets only fn and ctx.
@final export class Timer {
  due: i64 = 0;
  active: bool = false;
  next: Timer | null = null;
  fn: TimerFn | null = null;
  ctx: i32 = 0;
  /** fn may be set later (a module's init): AssemblyScript cannot compile a global whose
   *  initializer reaches a function that names that global, so a callback that restarts or
   *  checks its module's timers is attached at init, not in the timer's declaration. */
  constructor(fn: TimerFn | null = null, ctx: i32 = 0) {
    const t = changetype<Timer>(__new(offsetof<Timer>(), idof<Timer>()));
    t.fn = fn;
    t.ctx = ctx;
    return t;
  }

  /** (Re)starts the timer to fire `ms` from now. */
  start(ms: i64): void {
    if (this.active) this.cancel();
    this.due = nowMs + (ms < 0 ? 0 : ms);
    this.active = true;
    let prev: Timer | null = null, cur = head;
    while (cur !== null && cur.due <= this.due) { prev = cur; cur = cur.next; }
    this.next = cur;
    if (prev === null) head = this; else prev.next = this;
  }

  /** Stops the timer; cancelling an idle timer is harmless. */
  cancel(): void {
    if (!this.active) return;
    this.active = false;
    // An active timer is in the list: find the one before it.
    let prev: Timer | null = null, cur = head;
    while (cur !== this) { prev = cur; cur = cur!.next; }
    if (prev === null) head = this.next; else prev.next = this.next;
    this.next = null;
  }

  /** Milliseconds until it fires (0 when due), or -1 when idle. */
  remaining(): i64 {
    if (!this.active) return -1;
    return this.due > nowMs ? this.due - nowMs : 0;
  }
}

/** Fires every timer that is due; callbacks may start or cancel timers. */
export function runTimers(): void {
  // Bounded, so a callback that keeps restarting its timer at 0 ms cannot hold the tick.
  const limit = nowMs;
  for (let guard = 0; guard < 256; guard++) {
    const t = head;
    if (t === null || t.due > limit) return;
    head = t.next;
    t.next = null;
    t.active = false;
    const f = t.fn;
    if (f !== null) f(t);
  }
}

/** Due time of the earliest active timer, or -1 when none. */
export function nextDue(): i64 {
  const t = head;
  return t === null ? -1 : t.due;
}
