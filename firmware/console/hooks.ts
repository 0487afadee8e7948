// The console's hook table: slots that the call module (app/intercom.ts) fills in at its init, so
// the console can report on calls and act through them without importing them. AssemblyScript
// has function references but no closures: a slot is a plain function; module state lives in the
// module. While a slot is empty the console answers `error: not available yet` (commands) or
// `call: not available yet` (status). The network, registration and door lines, `open` and the
// step before a reboot are plain calls into app/app.ts (commands.ts): a slot costs a function
// object, a setter and an indirect call, and those modules are always there.
//
// Writing into the console: a hook gets the console's Writer. Status hooks write the text of
// their line after the console's `<name>: ` prefix and no line end (more lines: w.crlf() and a
// further text; the console ends the last one). Command hooks may write whole result lines
// (each ending in w.crlf()) and return 0 for `ok` or a reason for `error: <reason>` (a T("...")
// text). Hooks must not allocate and must never write a secret.
import { Writer } from "../sys/bytes";
import { Text } from "../sys/text";

/** Writes the rest of a status line (e.g. `registered to pbx.example, expires in 540 s`). */
export type StatusFn = (w: Writer) => void;
/** `call <target>`: the target bytes (trimmed, non-empty). Returns 0 (ok) or a reason. */
export type CallFn = (target: usize, len: i32, w: Writer) => Text;
/** `hangup`. Returns 0 (ok) or a reason. */
export type ActionFn = (w: Writer) => Text;

/** The `status` line of the call. */
export let statusCall: StatusFn | null = null;

/** Commands `call <target>`, `hangup`. */
export let call: CallFn | null = null;
export let hangup: ActionFn | null = null;

// Setters: an imported `let` is read-only in the importing module.
export function setStatusCall(f: StatusFn | null): void { statusCall = f; }
export function setCall(f: CallFn | null): void { call = f; }
export function setHangup(f: ActionFn | null): void { hangup = f; }
