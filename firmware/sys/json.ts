// A JSON object writer over a Writer, for events and status: keys are literals, values are
// literals, numbers or byte spans (escaped per RFC 8259 section 7).
import { Writer } from "./bytes";
import { T, Text } from "./text";

// @final with an explicit return: built over a zero-filled __new block (no key yet).
@final export class Json {
  /** A key has been written in the current object (the next one needs a comma). */
  more: bool = false;
  w: Writer = changetype<Writer>(0);
  constructor(w: Writer) {
    const j = changetype<Json>(__new(offsetof<Json>(), idof<Json>()));
    j.w = w;
    return j;
  }

  open(): Json { this.w.byte(123); this.more = false; return this; }
  close(): Json { this.w.byte(125); this.more = true; return this; }
  /** Closes the object and hands the writer to its sink. */
  end(): void { this.close(); this.w.end(); }

  key(k: Text): Writer {
    if (this.more) this.w.byte(44);
    this.more = true;
    return this.w.byte(34).str(k).byte(34).byte(58);
  }
  str(k: Text, v: Text): Json { this.key(k).byte(34).str(v).byte(34); return this; }
  bytes(k: Text, p: usize, n: i32): Json { escape(this.key(k).byte(34), p, n).byte(34); return this; }
  num(k: Text, v: i64): Json { this.key(k).int(v); return this; }
  bool(k: Text, v: bool): Json { this.key(k).str(v ? T("true") : T("false")); return this; }
  /** Starts a nested object value; finish it with close(). */
  obj(k: Text): Json { this.key(k).byte(123); this.more = false; return this; }
}

/** Writes bytes as the inside of a JSON string. */
export function escape(w: Writer, p: usize, n: i32): Writer {
  for (let i = 0; i < n; i++) {
    const c = <i32>load<u8>(p + <usize>i);
    if (c == 34 || c == 92) w.byte(92).byte(c);
    else if (c < 0x20 || c == 0x7f) w.str(T("\\u00")).hex(c, 2);
    else w.byte(c);
  }
  return w;
}
