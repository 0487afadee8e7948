// Header parameters (RFC 3261 25.1 generic-param): `*( SEMI token [ EQUAL gen-value ] )` with
// SEMI = SWS ";" SWS and EQUAL = SWS "=" SWS, gen-value = token / host / quoted-string. Used for
// Via, Contact, From/To, Route, Content-Type and Accept alike. Names compare case-insensitively.
// One scanner object per user, created at start-up, reused per message.
import { at, cls, C_TOKEN, C_GENV, skipWs, skipQuoted, skipClass } from "./scan";
import { eqNoCase } from "../sys/bytes";
import { Text } from "../sys/text";

// @final with an explicit return: built over a zero-filled __new block, no field-by-field
// initialisation (the declared defaults are zero unless set here).
@final export class Params {
  base: usize = 0;
  /** Scan position: after next() returned false it rests on the first byte after the section. */
  p: usize = 0;
  end: usize = 0;
  nameOff: i32 = 0;
  nameLen: i32 = 0;
  /** Value without quotes (escapes left as written); 0/0 when absent. */
  valOff: i32 = 0;
  valLen: i32 = 0;
  hasValue: bool = false;
  quoted: bool = false;
  /** The value is a token (unquoted, no ':' '[' ']'). */
  token: bool = false;
  /** A parameter was malformed (empty name, empty or unterminated value); next() returned false. */
  err: bool = false;

  constructor() { return changetype<Params>(__new(offsetof<Params>(), idof<Params>())); }

  /** Starts at p (just before a ';' or at the end of the section) within a message at base. */
  begin(base: usize, p: usize, end: usize): Params {
    this.base = base; this.p = p; this.end = end; this.err = false;
    return this;
  }

  /** Reads the next `;name[=value]`; false at the end of the section (p at the byte that ended
   *  it) or on a malformed parameter (err set). */
  next(): bool {
    const p = skipWs(this.p, this.end);
    this.p = p;
    return p < this.end && load<u8>(p) == 59 && this.at(skipWs(p + 1, this.end));
  }

  /** Reads `name[=value]` at p (also digest auth-params, RFC 2617 3.2.1): false when there is
   *  no name or the value is empty or unterminated (err set). */
  at(p: usize): bool {
    const end = this.end;
    const n = skipClass(p, end, C_TOKEN);
    if (n == p) return this.fail(p);
    this.nameOff = <i32>(p - this.base);
    this.nameLen = <i32>(n - p);
    let q = skipWs(n, end), vs = this.base, ve = vs;
    let quoted = false, token = false;
    if (at(q, end, 61)) {
      p = skipWs(q + 1, end);
      if (at(p, end, 34)) {
        q = skipQuoted(p, end);
        if (q == 0) return this.fail(p);
        vs = p + 1; ve = q - 1;
        quoted = true;
      } else {
        q = skipClass(p, end, C_TOKEN);
        token = q > p;
        if (q < end && (cls(load<u8>(q)) & C_GENV) != 0) { q = skipClass(q, end, C_GENV); token = false; }
        if (q == p) return this.fail(p);
        vs = p; ve = q;
      }
    } else q = n;
    this.hasValue = ve != this.base;
    this.quoted = quoted;
    this.token = token;
    this.valOff = <i32>(vs - this.base);
    this.valLen = <i32>(ve - vs);
    this.p = q;
    return true;
  }

  /** The current name equals lit (ASCII, any case). */
  is(lit: Text): bool { return eqNoCase(this.base + <usize>this.nameOff, this.nameLen, lit); }

  private fail(p: usize): bool { this.err = true; this.p = p; return false; }
}

/** The parameter scanner the SIP layer shares (msg, via, nameaddr, validate, digest, register):
 *  one message is scanned at a time and no user calls another while it walks parameters. */
export const params = new Params();
