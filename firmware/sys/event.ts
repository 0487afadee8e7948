// Events to the outside world (hal.event_emit): one JSON object per event, {"type": ..., ...}.
// Types: boot, registration, call, dtmf, door, io, memory, error. Never carries secrets.
//   event.begin("door").str("state", "open").end();
import { Writer, EVENT_SINK } from "./bytes";
import { Json } from "./json";
import { T, Text } from "./text";

const CAP: i32 = 512;
const w = new Writer(memory.data(CAP), CAP);
const ev = new Json(w);
w.tag = EVENT_SINK; // Writer.end() emits it with hal.event_emit when it is whole

/** The event being written (to go on after a raw key()). */
export function current(): Json { return ev; }

/** Starts an event of the given type; add fields, then end() emits it (whole, or not at all). */
export function begin(type: Text): Json {
  w.reset();
  ev.open();
  ev.str(T("type"), type);
  return ev;
}
