// Texts: every text the firmware writes (console answers, help, log lines, event names, SIP
// header names and reason phrases) is a Text handle into one UTF-8 blob, TEXTS. Source code
// writes T("literal"); the build's transform (scripts/text-transform.mjs) replaces each call with
// its handle, (offset << 12) | length, and fills TEXTS with the bytes, each text stored once (texts
// inside or overlapping others share their bytes).
// AssemblyScript string literals would cost about 2.5 times as much (UTF-16 objects with headers,
// split data segments), and the whole product must fit in 64 KB. The transform refuses any other
// string literal in firmware/. Text 0 is the empty text (also "no text" where a hook returns one).

export type Text = u32;

/** The blob; its content is written by the build's text transform. */
export const TEXTS = memory.data<u8>([0]);

/** Marker the build replaces with a Text handle; never runs. */
export function T(s: string): Text { unreachable(); return 0; }

/** First byte of a text. */
// @ts-ignore: decorator
@inline export function textPtr(t: Text): usize { return TEXTS + <usize>(t >>> 12); }
/** Length of a text in bytes. */
// @ts-ignore: decorator
@inline export function textLen(t: Text): i32 { return <i32>(t & 0xfff); }
/** Byte i of a text (0 <= i < textLen). */
// @ts-ignore: decorator
@inline export function textAt(t: Text, i: i32): i32 { return <i32>load<u8>(TEXTS + <usize>(t >>> 12) + <usize>i); }
