// Syntax of the addresses a setting may hold: host names (RFC 1123 section 2.1, RFC 1035
// section 2.3.4), dotted IPv4, host[:port], and the SIP URI (RFC 3261 section 19.1.1 and the
// ABNF of section 25.1) without password and headers. These only decide whether a value may be
// stored; the SIP layer parses URIs itself when it uses them.
import { parseIp4 } from "../sys/bytes";
import { T, Text, textLen, textAt } from "../sys/text";

// Results: OK or what is wrong (validate.ts turns them into messages).
export const SYN_OK: i32 = 0;
export const SYN_HOST: i32 = 1;    // not a host name (RFC 1123)
export const SYN_IP: i32 = 2;      // digits and dots, but not a dotted IPv4 address
export const SYN_PORT: i32 = 3;    // port missing, not a number or not 1..65535
export const SYN_SCHEME: i32 = 4;  // not sip: or sips:
export const SYN_USER: i32 = 5;    // user part with a character RFC 3261 does not allow
export const SYN_PARAM: i32 = 6;   // a ;param that is empty or has a character not allowed

// Character classes of RFC 3261 section 25.1, one bit each, indexed by byte (0..127).
const C_ALNUM: u8 = 1;
const C_MARK: u8 = 2;        // - _ . ! ~ * ' ( )
const C_USER: u8 = 4;        // user-unreserved: & = + $ , ; ? /
const C_PARAM: u8 = 8;       // param-unreserved: [ ] / : & + $
const cls = memory.data(128);

function mark(chars: Text, bit: u8): void {
  for (let i = 0; i < textLen(chars); i++) {
    const p = cls + <usize>textAt(chars, i);
    store<u8>(p, load<u8>(p) | bit);
  }
}
for (let c = 48; c < 123; c++) {
  if (c <= 57 || (c >= 65 && c <= 90) || c >= 97) store<u8>(cls + <usize>c, C_ALNUM);
}
mark(T("-_.!~*'()"), C_MARK);
mark(T("&=+$,;?/"), C_USER);
mark(T("[]/:&+$"), C_PARAM);

// @ts-ignore: decorator
@inline function is(c: i32, bits: u8): bool { return c < 128 && (load<u8>(cls + <usize>c) & bits) != 0; }

function isHex(c: i32): bool { return <u32>(c - 48) < 10 || <u32>((c | 0x20) - 97) < 6; }

/** True when [p, p+n) is 1*(allowed or %HH); `bits` names the allowed classes. */
function chars(p: usize, n: i32, bits: u8, comma: bool): bool {
  if (n <= 0) return false;
  let i = 0;
  while (i < n) {
    const c = <i32>load<u8>(p + <usize>i);
    if (c == 37) {
      if (i + 2 >= n || !isHex(<i32>load<u8>(p + <usize>(i + 1))) || !isHex(<i32>load<u8>(p + <usize>(i + 2)))) return false;
      i += 3;
      continue;
    }
    if (c == 44 && !comma) return false;
    if (!is(c, bits)) return false;
    i++;
  }
  return true;
}

/** A SIP user part (RFC 3261 `user`): unreserved, user-unreserved and %HH escapes, no comma
 *  (the list separator). True when [p, p+n) is one. */
export function isUser(p: usize, n: i32): bool {
  return chars(p, n, C_ALNUM | C_MARK | C_USER, false);
}

/** A host: a dotted IPv4 address, or a host name of labels 1..63 bytes of letters, digits and
 *  inner hyphens, at most 253 bytes. Digits and dots only must be an IPv4 address. */
export function host(p: usize, n: i32): i32 {
  if (n <= 0 || n > 253) return SYN_HOST;
  let numeric = true;
  let label = 0;
  for (let i = 0; i < n; i++) {
    const c = <i32>load<u8>(p + <usize>i);
    if (c == 46) {
      if (label == 0 || load<u8>(p + <usize>(i - 1)) == 45) return SYN_HOST;
      label = 0;
      continue;
    }
    if (c == 45) {
      if (label == 0) return SYN_HOST;
      numeric = false;
    } else if (<u32>(c - 48) < 10) {
      // digit
    } else if (<u32>((c | 0x20) - 97) < 26) {
      numeric = false;
    } else return SYN_HOST;
    if (++label > 63) return SYN_HOST;
  }
  if (label == 0 || load<u8>(p + <usize>(n - 1)) == 45) return SYN_HOST;
  if (numeric && parseIp4(p, n) < 0) return SYN_IP;
  return SYN_OK;
}

/** A port: 1..5 digits, 1..65535. */
export function port(p: usize, n: i32): i32 {
  if (n <= 0 || n > 5) return SYN_PORT;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = <i32>load<u8>(p + <usize>i) - 48;
    if (<u32>d > 9) return SYN_PORT;
    v = v * 10 + d;
  }
  return v >= 1 && v <= 65535 ? SYN_OK : SYN_PORT;
}

/** host[:port]. */
export function hostPort(p: usize, n: i32): i32 {
  let colon = -1;
  for (let i = 0; i < n; i++) if (load<u8>(p + <usize>i) == 58) { colon = i; break; }
  if (colon < 0) return host(p, n);
  const r = host(p, colon);
  if (r != SYN_OK) return r;
  return port(p + <usize>(colon + 1), n - colon - 1);
}

/** True when [p, p+n) starts with "sip:" or "sips:" (any case); returns the scheme's length
 *  with the colon, or 0. */
export function schemeLen(p: usize, n: i32): i32 {
  if (n < 4) return 0;
  const s = <i32>load<u8>(p) | 0x20, i = <i32>load<u8>(p + 1) | 0x20, q = <i32>load<u8>(p + 2) | 0x20;
  if (s != 115 || i != 105 || q != 112) return 0;
  const c = <i32>load<u8>(p + 3);
  if (c == 58) return 4;
  if ((c | 0x20) == 115 && n >= 5 && load<u8>(p + 4) == 58) return 5;
  return 0;
}

/** sip:[user@]host[:port][;param[=value]]... (sips: too). No password, no ?headers. */
export function sipUri(p: usize, n: i32): i32 {
  const s = schemeLen(p, n);
  if (s == 0) return SYN_SCHEME;
  let i = s;
  // userinfo: up to an '@' (a user part cannot contain one)
  let at = -1;
  for (let j = i; j < n; j++) if (load<u8>(p + <usize>j) == 64) { at = j; break; }
  if (at >= 0) {
    if (!isUser(p + <usize>i, at - i)) return SYN_USER;
    i = at + 1;
  }
  // hostport: up to the first ';'
  let end = i;
  while (end < n && load<u8>(p + <usize>end) != 59) end++;
  const r = hostPort(p + <usize>i, end - i);
  if (r != SYN_OK) return r;
  // params: ;name[=value]
  i = end;
  while (i < n) {
    i++; // the ';'
    let e = i;
    while (e < n && load<u8>(p + <usize>e) != 59) e++;
    let eq = -1;
    for (let j = i; j < e; j++) if (load<u8>(p + <usize>j) == 61) { eq = j; break; }
    const bits: u8 = C_ALNUM | C_MARK | C_PARAM;
    if (eq < 0) {
      if (!chars(p + <usize>i, e - i, bits, false)) return SYN_PARAM;
    } else if (!chars(p + <usize>i, eq - i, bits, false) || !chars(p + <usize>(eq + 1), e - eq - 1, bits, false)) {
      return SYN_PARAM;
    }
    i = e;
  }
  return SYN_OK;
}
