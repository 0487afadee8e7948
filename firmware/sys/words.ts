// Word lists: one Text holding words separated by '|' ("off|crlf|options"), looked up by index
// without splitting it. Setting choices and the SDP tokens the firmware knows are such lists.
import { Text, textPtr, textLen } from "./text";
import { eqBytesNoCase } from "./bytes";

/** Index of the word of list equal to [p, p+n) (ASCII case-insensitive), or -1. */
export function wordIndex(p: usize, n: i32, list: Text): i32 {
  let i = 0, w: Text;
  while ((w = wordAt(list, i)) != 0) {
    if (eqBytesNoCase(p, n, textPtr(w), textLen(w))) return i;
    i++;
  }
  return -1;
}

/** Word idx of list as a Text; 0 (the empty text) when there is none. An empty word inside the
 *  list is a Text of length 0 but not 0. */
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
