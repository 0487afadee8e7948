// The console's hook table: slots that later modules (network, SIP registration and calls, the
// door) fill in at their init, so the console can report on them and act through them without
// importing them. AssemblyScript has function references but no closures: a slot is a plain
// function; module state lives in the module. While a slot is empty the console answers
// `error: not available yet` (commands) or `<name>: not available yet` (status lines).
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
/** `hangup`, `open`. Returns 0 (ok) or a reason. */
export type ActionFn = (w: Writer) => Text;
/** Runs before the firmware reboots (factory = true: before a factory-reset erases the
 *  settings): e.g. un-REGISTER, release the relay. The reboot follows when the tick returns. */
export type BeforeResetFn = (factory: bool) => void;

/** `status` lines: network, registration, call, door. */
export let statusNetwork: StatusFn | null = null;
export let statusRegistration: StatusFn | null = null;
export let statusCall: StatusFn | null = null;
export let statusDoor: StatusFn | null = null;

/** Commands `call <target>`, `hangup`, `open`. */
export let call: CallFn | null = null;
export let hangup: ActionFn | null = null;
export let open: ActionFn | null = null;

/** Before `reboot` and `factory-reset`. */
export let beforeReset: BeforeResetFn | null = null;

// Setters: an imported `let` is read-only in the importing module.
export function setStatusNetwork(f: StatusFn | null): void { statusNetwork = f; }
export function setStatusRegistration(f: StatusFn | null): void { statusRegistration = f; }
export function setStatusCall(f: StatusFn | null): void { statusCall = f; }
export function setStatusDoor(f: StatusFn | null): void { statusDoor = f; }
export function setCall(f: CallFn | null): void { call = f; }
export function setHangup(f: ActionFn | null): void { hangup = f; }
export function setOpen(f: ActionFn | null): void { open = f; }
export function setBeforeReset(f: BeforeResetFn | null): void { beforeReset = f; }
