// DTMF digits: the RFC 4733 section 3.2 event codes (0-9, * = 10, # = 11, A-D = 12-15), the
// received-digit queue the call layer reads (each digit with its source), and the bodies of SIP
// INFO requests that carry a digit: application/dtmf-relay ("Signal=5\r\nDuration=160") and
// application/dtmf (a digit or its event code alone), as sent by common PBXs and phones.
import { DTMF_QUEUE } from "../config";
import { T, textAt } from "../sys/text";
import { eqNoCase } from "../sys/bytes";

/** Where a received digit came from (docs/events.md: dtmf.source). */
export const SRC_RFC4733: i32 = 1;
export const SRC_INFO: i32 = 2;

const DIGITS = T("0123456789*#ABCD");

/** ASCII digit ('0'-'9', '*', '#', 'A'-'D') of event code 0..15, or -1. */
export function digitOf(code: i32): i32 {
  return <u32>code < 16 ? textAt(DIGITS, code) : -1;
}

/** Event code 0..15 of an ASCII digit (a-d accepted), or -1. */
export function codeOf(c: i32): i32 {
  if (<u32>(c - 48) <= 9) return c - 48;
  if (c == 42) return 10;
  if (c == 35) return 11;
  const u = c & ~0x20;
  if (<u32>(u - 65) <= 3) return u - 65 + 12;
  return -1;
}

/** First index in [i, e) of a byte that is not blank (space, tab, CR or another control). */
function skipBlanks(p: usize, i: i32, e: i32): i32 {
  while (i < e && load<u8>(p + <usize>i) <= 32) i++;
  return i;
}

/** A digit value as INFO bodies write it: one digit character, or an event code 0..15 in
 *  decimal; surrounding blanks and line ends ignored. Returns the ASCII digit or -1. */
function digitValue(p: usize, n: i32): i32 {
  const a = skipBlanks(p, 0, n);
  while (n > a && load<u8>(p + <usize>(n - 1)) <= 32) n--;
  const len = n - a;
  if (<u32>(len - 1) > 1) return -1; // 1 or 2 characters
  const q = p + <usize>a;
  let code = codeOf(<i32>load<u8>(q));
  if (len == 2) {
    const d = <i32>load<u8>(q, 1) - 48;
    code = code == 1 && <u32>d <= 5 ? 10 + d : -1; // "10".."15" (only '1' has code 1)
  }
  return digitOf(code);
}

/** application/dtmf-relay body: the digit of its Signal= line (key case-insensitive, blanks
 *  around '=' allowed, lines ended by CRLF or LF). Returns the ASCII digit, or -1 when there is
 *  no valid Signal line. Duration is not needed by the receiver and is ignored. */
export function parseDtmfRelay(p: usize, n: i32): i32 {
  for (let i = 0; i < n;) {
    let e = i;
    while (e < n && load<u8>(p + <usize>e) != 10) e++;
    let k = skipBlanks(p, i, e);
    if (e - k > 6 && eqNoCase(p + <usize>k, 6, T("signal"))) {
      k = skipBlanks(p, k + 6, e);
      if (k < e && load<u8>(p + <usize>k) == 61) return digitValue(p + <usize>(k + 1), e - k - 1);
    }
    i = e + 1;
  }
  return -1;
}

/** application/dtmf body: one digit (or event code), optionally with blanks and a line end.
 *  Returns the ASCII digit or -1. */
export function parseDtmfBody(p: usize, n: i32): i32 { return digitValue(p, n); }

// Received digits waiting for the call layer, oldest first: (source << 8) | ASCII digit each.
// Fixed size (DTMF_QUEUE, a power of 2): when full, new digits are dropped and counted.
const queue = memory.data(DTMF_QUEUE << 1);
let head: i32 = 0;
let count: i32 = 0;
/** Received digits dropped because the queue was full. */
export let digitsDropped: i32 = 0;

/** Queues a received ASCII digit with its source (SRC_*); false when the queue is full. */
export function pushDigit(digit: i32, source: i32): bool {
  if (count >= DTMF_QUEUE) { digitsDropped++; return false; }
  store<u16>(queue + (<usize>((head + count++) & (DTMF_QUEUE - 1)) << 1), <u16>(source << 8 | digit));
  return true;
}

/** The oldest received digit as (source << 8) | ASCII digit, or -1 when none. */
export function takeDigit(): i32 {
  if (count == 0) return -1;
  const v = <i32>load<u16>(queue + (<usize>head << 1));
  head = (head + 1) & (DTMF_QUEUE - 1);
  count--;
  return v;
}

/** Received digits waiting. */
export function digitsQueued(): i32 { return count; }

/** Forgets the received digits (a new call). */
export function clearDigits(): void { head = 0; count = 0; }
