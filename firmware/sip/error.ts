// SIP message errors: the codes SipMsg.parse and the UAS checks return, and the short text a
// 400 carries in its reason phrase and Warning: 399 header (RFC 3261 21.4.1, 20.43).
import { Writer } from "../sys/bytes";
import { T, Text } from "../sys/text";
import { headerNamePtr, headerNameLen, H_VIA, H_FROM, H_TO, H_CALL_ID, H_CSEQ, H_CONTACT, H_MAX_FORWARDS,
  H_CONTENT_LENGTH, H_CONTENT_TYPE, H_ROUTE, H_DATE, H_CONTENT_ENCODING } from "./headers";

export const E_OK = 0;
export const E_EMPTY = 1;                // nothing but CRLF keep-alives
export const E_TOO_LONG = 2;             // datagram larger than SIP_MAX_MSG
export const E_START_LINE = 3;           // start line not Method SP URI SP SIP/x.y or SIP/x.y SP code
export const E_REQUEST_URI = 4;          // Request-URI malformed or holding LWS
export const E_STATUS = 5;               // status code not 100..699
export const E_CTL = 6;                  // control byte in a header (not HT, not a quoted-pair)
export const E_BARE_CR = 7;              // CR not followed by LF
export const E_LINE_TOO_LONG = 8;        // start line or header field longer than SIP_MAX_LINE
export const E_TOO_MANY_HEADERS = 9;     // more than SIP_MAX_HEADERS header fields
export const E_HEADER_NAME = 10;         // header line without a token name and a colon
export const E_TRUNCATED = 11;           // headers not closed by an empty line
export const E_VIA = 12;
export const E_FROM = 13;
export const E_TO = 14;
export const E_CALL_ID = 15;
export const E_CSEQ = 16;                // CSeq not 1*DIGIT LWS Method, or number >= 2^31
export const E_CSEQ_METHOD = 17;         // CSeq method differs from the request method
export const E_CONTACT = 18;
export const E_MAX_FORWARDS = 19;
export const E_CONTENT_LENGTH = 20;      // not 1*DIGIT (negative, empty, garbage)
export const E_CONTENT_LENGTH_CONFLICT = 21;
export const E_BODY_TRUNCATED = 22;      // Content-Length larger than what the datagram holds
export const E_CONTENT_TYPE = 23;
export const E_ROUTE = 24;               // Route / Record-Route not a list of name-addr
export const E_OPTION_TAGS = 25;         // Require / Supported / ... not a list of tokens
export const E_DATE = 26;                // Date not an RFC 1123 date in GMT
export const E_DUPLICATE = 27;           // a second From, To, Call-ID, CSeq or Max-Forwards
export const E_VERSION = 28;             // SIP version other than 2.0 (505)
export const E_NO_VIA = 29;
export const E_NO_FROM = 30;
export const E_NO_TO = 31;
export const E_NO_CALL_ID = 32;
export const E_NO_CSEQ = 33;
export const E_NO_CONTENT_TYPE = 34;     // a body without Content-Type (RFC 3261 20.15)
export const E_CONTENT_ENCODING = 35;

// The text of each code: "Bad " (0x100) or "Missing " (0x200), then a header's name (id < 64)
// or one of WORDS (64 + index). Codes that never reach a 400 (empty, too long, status, version,
// no Via: those are dropped or get 505) read "Bad Request".
const BAD = 0x100, MISSING = 0x200, W = 64;
const WORDS: StaticArray<Text> = [T("Request"), T("start line"), T("Request-URI"), T("Control character"), T("Bare CR"),
  T("Line too long"), T("Too many headers"), T("header line"), T("Truncated headers"), T("CSeq method mismatch"),
  T("Truncated body"), T("option tags"), T("Duplicate header")];
const TEXT: StaticArray<u16> = [
  <u16>(BAD | W), <u16>(BAD | W), <u16>(BAD | W), <u16>(BAD | W + 1), <u16>(BAD | W + 2), <u16>(BAD | W),
  <u16>(W + 3), <u16>(W + 4), <u16>(W + 5), <u16>(W + 6), <u16>(BAD | W + 7), <u16>(W + 8), <u16>(BAD | H_VIA),
  <u16>(BAD | H_FROM), <u16>(BAD | H_TO), <u16>(BAD | H_CALL_ID), <u16>(BAD | H_CSEQ), <u16>(W + 9),
  <u16>(BAD | H_CONTACT), <u16>(BAD | H_MAX_FORWARDS), <u16>(BAD | H_CONTENT_LENGTH),
  <u16>(BAD | H_CONTENT_LENGTH), <u16>(W + 10), <u16>(BAD | H_CONTENT_TYPE), <u16>(BAD | H_ROUTE),
  <u16>(BAD | W + 11), <u16>(BAD | H_DATE), <u16>(W + 12), <u16>(BAD | W), <u16>(BAD | W),
  <u16>(MISSING | H_FROM), <u16>(MISSING | H_TO), <u16>(MISSING | H_CALL_ID), <u16>(MISSING | H_CSEQ),
  <u16>(MISSING | H_CONTENT_TYPE), <u16>(BAD | H_CONTENT_ENCODING)
];

/** Writes the short reason for a 400 reason phrase or Warning text ("Bad Via", "Missing From");
 *  "Bad Request" for unknown codes. */
export function errorText(w: Writer, code: i32): Writer {
  const e = <u32>code < <u32>TEXT.length ? <i32>unchecked(TEXT[code]) : BAD | W;
  if (e & BAD) w.str(T("Bad "));
  if (e & MISSING) w.str(T("Missing "));
  const i = e & 0xff;
  return i < W ? w.bytes(headerNamePtr(i), headerNameLen(i)) : w.str(unchecked(WORDS[i - W]));
}
