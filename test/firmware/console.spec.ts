// The console's line editor (firmware/console/line.ts): line ends, backspace, Ctrl-C, escape
// sequences, UTF-8, over-long lines and the masked echo of a secret's value, byte by byte.
import { Writer } from "../../firmware/sys/bytes";
import * as line from "../../firmware/console/line";
import { L_NONE, L_LINE, L_EMPTY, L_LONG, L_CANCEL } from "../../firmware/console/line";
import * as settings from "../../firmware/console/settings";
import { CONSOLE_LINE_MAX } from "../../firmware/config";

settings.loadDefaults();

const ECHO_CAP: i32 = 4096;
const echo = new Writer(memory.data(ECHO_CAP), ECHO_CAP);
/** Results of every feed() that was not L_NONE, in order, as digits. */
let results = "";

/** Feeds the UTF-8 bytes of s; returns the echo. */
function feed(s: string): string {
  const b = String.UTF8.encode(s);
  return feedBytes(changetype<usize>(b), b.byteLength);
}

function feedBytes(p: usize, n: i32): string {
  echo.reset();
  results = "";
  for (let i = 0; i < n; i++) {
    const r = line.feed(<i32>load<u8>(p + <usize>i), echo);
    if (r != L_NONE) results += r.toString();
  }
  return String.UTF8.decodeUnsafe(echo.base, echo.len);
}

function text(): string { return String.UTF8.decodeUnsafe(line.buf, line.len); }

describe("line ends", () => {
  it("CR, LF and CRLF each end one line and echo CRLF", () => {
    line.clear();
    expect(feed("show\r")).toBe("show\r\n");
    expect(results).toBe(L_LINE.toString());
    expect(text()).toBe("show");
    line.clear();
    expect(feed("\nget a\n")).toBe("get a\r\n"); // the LF of the CRLF above is swallowed
    expect(results).toBe(L_LINE.toString());
    expect(text()).toBe("get a");
    line.clear();
    expect(feed("x\r\n")).toBe("x\r\n");
    expect(results).toBe(L_LINE.toString());
    line.clear();
    expect(feed("\n")).toBe("\r\n"); // a lone LF after a CRLF: an empty line
    expect(results).toBe(L_EMPTY.toString());
  });
  it("reports empty and all-space lines as empty", () => {
    line.clear();
    expect(feed("\r")).toBe("\r\n");
    expect(feed("   \r")).toBe("   \r\n");
    expect(results).toBe(L_EMPTY.toString());
    expect(line.len).toBe(0);
  });
});

describe("editing", () => {
  it("backspace (BS and DEL) removes a byte and echoes BS SP BS", () => {
    line.clear();
    expect(feed("abc\x08\x7fd")).toBe("abc\x08 \x08\x08 \x08d");
    expect(text()).toBe("ad");
    expect(feed("\x7f\x7f\x7f")).toBe("\x08 \x08\x08 \x08"); // nothing left for the third
    expect(line.len).toBe(0);
  });
  it("backspace removes a whole UTF-8 character", () => {
    line.clear();
    expect(feed("Tür")).toBe("Tür");
    expect(line.len).toBe(4);
    feed("\x7f\x7f");
    expect(text()).toBe("T");
    feed("€𝄞");
    expect(line.len).toBe(8);
    feed("\x7f");
    expect(text()).toBe("T€");
  });
  it("takes UTF-8 bytes as they come", () => {
    line.clear();
    expect(feed("set sip.display Haustür\r")).toBe("set sip.display Haustür\r\n");
    expect(text()).toBe("set sip.display Haustür");
  });
  it("Ctrl-C drops the line", () => {
    line.clear();
    expect(feed("set x\x03")).toBe("set x^C\r\n");
    expect(results).toBe(L_CANCEL.toString());
    expect(line.len).toBe(0);
  });
  it("ignores escape sequences and other control bytes", () => {
    line.clear();
    expect(feed("a\x1b[A\x1b[1;5Cb\x1bOPc\x1bxd\t\x00\x07e")).toBe("abcde");
    expect(text()).toBe("abcde");
  });
});

describe("over-long lines", () => {
  it("takes exactly CONSOLE_LINE_MAX bytes", () => {
    line.clear();
    feed("a".repeat(CONSOLE_LINE_MAX) + "\r");
    expect(results).toBe(L_LINE.toString());
    expect(line.len).toBe(CONSOLE_LINE_MAX);
  });
  it("rejects one byte more when the line ends, without echoing beyond the limit", () => {
    line.clear();
    const e = feed("b".repeat(CONSOLE_LINE_MAX + 1) + "\x7f\r");
    expect(e).toBe("b".repeat(CONSOLE_LINE_MAX) + "\r\n");
    expect(results).toBe(L_LONG.toString());
    expect(line.len).toBe(0);
    // the next line is fine again
    feed("ok\r");
    expect(results).toBe(L_LINE.toString());
    expect(text()).toBe("ok");
  });
});

describe("secret values", () => {
  it("echoes the value of set <secret key> as one * per character", () => {
    line.clear();
    expect(feed("set sip.password pä55\r")).toBe("set sip.password ****\r\n");
    expect(text()).toBe("set sip.password pä55");
    line.clear();
    expect(feed("  SET   door.code  12#\r")).toBe("  SET   door.code ****\r\n");
  });
  it("echoes other keys and commands in clear", () => {
    line.clear();
    expect(feed("set sip.user 2000\r")).toBe("set sip.user 2000\r\n");
    line.clear();
    expect(feed("get sip.password x\r")).toBe("get sip.password x\r\n");
  });
  it("stops masking when backspace goes back into the key", () => {
    line.clear();
    expect(feed("set sip.password ab\x7f\x7f\x7fx")).toBe("set sip.password **\x08 \x08\x08 \x08\x08 \x08x");
    expect(text()).toBe("set sip.passwordx");
  });
});
