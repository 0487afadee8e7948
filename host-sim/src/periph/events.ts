// The firmware's event stream (hal.event_emit): numbered, time-stamped, kept in a bounded log for
// GET /api/events?since=N and handed to observers.

export interface SimEvent {
  seq: number;
  t: number;
  type: string;
  [field: string]: unknown;
}

export class EventLog {
  onEvent: ((e: SimEvent) => void) | null = null;
  private log: SimEvent[] = [];
  private nextSeq = 1;
  constructor(private readonly cap = 10000) {}

  push(t: number, json: string): SimEvent {
    let body: Record<string, unknown>;
    try { body = JSON.parse(json) as Record<string, unknown>; } catch { body = { type: "invalid", raw: json }; }
    const e = { ...body, seq: this.nextSeq++, t, type: String(body["type"] ?? "unknown") } as SimEvent;
    this.log.push(e);
    if (this.log.length > this.cap) this.log.splice(0, this.log.length - this.cap);
    this.onEvent?.(e);
    return e;
  }

  /** Events with seq > since. */
  since(since = 0): SimEvent[] { return this.log.filter((e) => e.seq > since); }
  /** The newest event of a type. */
  last(type: string): SimEvent | undefined {
    for (let i = this.log.length - 1; i >= 0; i--) if (this.log[i]!.type === type) return this.log[i];
    return undefined;
  }
  get lastSeq(): number { return this.nextSeq - 1; }
}
