// SIP message errors: the codes SipMsg.parse and the UAS checks return, and the short text a
// 400 carries in its reason phrase and Warning: 399 header (RFC 3261 21.4.1, 20.43).
import { T, Text } from "../sys/text";

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

// Indexed by code.
const TEXT = memory.data<u32>([T("OK"), T("Empty message"), T("Message too long"), T("Bad start line"),
  T("Bad Request-URI"), T("Bad status code"), T("Control character"), T("Bare CR"), T("Line too long"),
  T("Too many headers"), T("Bad header line"), T("Truncated headers"), T("Bad Via"), T("Bad From"), T("Bad To"),
  T("Bad Call-ID"), T("Bad CSeq"), T("CSeq method mismatch"), T("Bad Contact"), T("Bad Max-Forwards"),
  T("Bad Content-Length"), T("Conflicting Content-Length"), T("Content-Length too large"),
  T("Bad Content-Type"), T("Bad Route"), T("Bad option tags"), T("Bad Date"), T("Duplicate header"),
  T("Version Not Supported"), T("Missing Via"), T("Missing From"), T("Missing To"), T("Missing Call-ID"),
  T("Missing CSeq"), T("Missing Content-Type"), T("Bad Content-Encoding")]);
const COUNT: u32 = <u32>E_CONTENT_ENCODING + 1;

/** Short reason for a 400 reason phrase or Warning text; "Bad Request" for unknown codes. */
export function errorText(code: i32): Text {
  return <u32>code < COUNT ? load<u32>(TEXT + (<usize>code << 2)) : T("Bad Request");
}
