// Serial console (placeholder until the line editor and commands land): reads bytes, answers
// each line with `error: unknown command`.
import * as hal from "../hal";

const IN_CAP: i32 = 64;
const inBuf = memory.data(IN_CAP);

export function init(): void {}

export function poll(): void {
  const n = hal.console_read(inBuf, IN_CAP);
  for (let i = 0; i < n; i++) {
    if (load<u8>(inBuf + <usize>i) == 10) {
      const msg = "error: unknown command\n";
      const out = memory.data(32);
      for (let j = 0; j < msg.length; j++) store<u8>(out + <usize>j, <u8>msg.charCodeAt(j));
      hal.console_write(out, msg.length);
    }
  }
}
