// Word lists: one Text holding words separated by '|' ("off|crlf|options"), looked up by index
// without splitting it. Setting choices and the SDP tokens the firmware knows are such lists.
import { Text, textPtr, textLen } from "./text";
import { eqBytesNoCase } from "./bytes";

/** Index of the word of list equal to [p, p+n) (ASCII case-insensitive), or -1. */
export function wordIndex(p: usize, n: i32, list: Text): i32 {
  const lp = textPtr(list), ln = textLen(list);
  let s = 0, idx = 0;
  for (let i = 0; i <= ln; i++) {
    if (i < ln && load<u8>(lp + <usize>i) != 124) continue;
    if (eqBytesNoCase(p, n, lp + <usize>s, i - s)) return idx;
    s = i + 1;
    idx++;
  }
  return -1;
}

/** Word idx of list as a Text; the empty text when there is none. */
export function wordAt(list: Text, idx: i32): Text {
  const lp = textPtr(list), ln = textLen(list);
  let s = 0;
  for (let i = 0; i <= ln; i++) {
    if (i < ln && load<u8>(lp + <usize>i) != 124) continue;
    if (idx-- == 0) return ((list & ~0xfff) + (<u32>s << 12)) | <u32>(i - s);
    s = i + 1;
  }
  return 0;
}
