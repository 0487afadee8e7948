// A small SIP toolkit for tests: parse what the firmware sends (just enough: start line, headers,
// body), build requests and responses, and a scripted registrar with digest authentication
// (RFC 2617 MD5, qop=auth) computed independently with node:crypto.
import { createHash } from "node:crypto";

export interface SipMessage {
  raw: string;
  isRequest: boolean;
  method: string;   // request method, or the CSeq method of a response
  uri: string;
  status: number;
  reason: string;
  headers: [string, string][];
  body: string;
}

const COMPACT: Record<string, string> = { v: "via", f: "from", t: "to", i: "call-id", m: "contact", l: "content-length", c: "content-type", k: "supported" };

export function parseSip(raw: string): SipMessage {
  const sep = raw.indexOf("\r\n\r\n");
  const head = sep >= 0 ? raw.slice(0, sep) : raw;
  const body = sep >= 0 ? raw.slice(sep + 4) : "";
  const lines = head.split("\r\n");
  const start = lines[0]!;
  const headers: [string, string][] = [];
  for (const l of lines.slice(1)) {
    if (/^[ \t]/.test(l) && headers.length) { headers[headers.length - 1]![1] += " " + l.trim(); continue; }
    const c = l.indexOf(":");
    if (c < 0) continue;
    let name = l.slice(0, c).trim().toLowerCase();
    name = COMPACT[name] ?? name;
    headers.push([name, l.slice(c + 1).trim()]);
  }
  const m: SipMessage = { raw, isRequest: !start.startsWith("SIP/2.0 "), method: "", uri: "", status: 0, reason: "", headers, body };
  if (m.isRequest) {
    const [method, uri] = start.split(" ");
    m.method = method!;
    m.uri = uri!;
  } else {
    const sp = start.indexOf(" ", 8);
    m.status = Number(start.slice(8, 11));
    m.reason = sp >= 0 ? start.slice(12) : "";
    m.method = (hdr(m, "cseq") ?? "").split(/\s+/)[1] ?? "";
  }
  return m;
}

/** First value of a header (lower-case name), or undefined. */
export function hdr(m: SipMessage, name: string): string | undefined {
  return m.headers.find(([n]) => n === name)?.[1];
}
/** Every value of a header. */
export function hdrs(m: SipMessage, name: string): string[] {
  return m.headers.filter(([n]) => n === name).map(([, v]) => v);
}
/** A ;param=value of a header value. */
export function param(value: string | undefined, name: string): string | undefined {
  if (!value) return undefined;
  const re = new RegExp(`;\\s*${name}\\s*=\\s*("([^"]*)"|[^;,\\s>]+)`, "i");
  const r = re.exec(value);
  return r ? (r[2] ?? r[1]) : undefined;
}
export function tagOf(value: string | undefined): string | undefined { return param(value?.replace(/<[^>]*>/, ""), "tag"); }
export function branchOf(m: SipMessage): string | undefined { return param(hdr(m, "via"), "branch"); }
export function cseqOf(m: SipMessage): number { return Number((hdr(m, "cseq") ?? "0").split(/\s+/)[0]); }

/** A response to request m: Vias, From, To (+tag), Call-ID, CSeq copied, then extra headers. */
export function respond(m: SipMessage, code: number, reason: string, extra: string[] = [], toTag = "peer1", body = ""): string {
  const lines = [`SIP/2.0 ${code} ${reason}`];
  for (const v of hdrs(m, "via")) lines.push(`Via: ${v}`);
  lines.push(`From: ${hdr(m, "from")}`);
  const to = hdr(m, "to") ?? "";
  lines.push(`To: ${to}${tagOf(to) || code === 100 ? "" : `;tag=${toTag}`}`);
  lines.push(`Call-ID: ${hdr(m, "call-id")}`, `CSeq: ${hdr(m, "cseq")}`, ...extra, `Content-Length: ${Buffer.byteLength(body)}`, "", body);
  return lines.join("\r\n");
}

/** A request as a peer would send it. */
export function request(method: string, uri: string, o: { via: string; from: string; to: string; callId: string; cseq: number; extra?: string[]; body?: string }): string {
  const body = o.body ?? "";
  return [`${method} ${uri} SIP/2.0`, `Via: ${o.via}`, "Max-Forwards: 70", `From: ${o.from}`, `To: ${o.to}`, `Call-ID: ${o.callId}`,
    `CSeq: ${o.cseq} ${method}`, ...(o.extra ?? []), `Content-Length: ${Buffer.byteLength(body)}`, "", body].join("\r\n");
}

const md5 = (s: string): string => createHash("md5").update(s).digest("hex");

/** Parses a Digest Authorization header value into its parameters. */
export function parseDigest(v: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /(\w+)=("([^"]*)"|[^,\s]+)/g;
  let r: RegExpExecArray | null;
  while ((r = re.exec(v.replace(/^Digest\s+/i, "")))) out[r[1]!.toLowerCase()] = r[3] ?? r[2]!;
  return out;
}

/** RFC 2617 3.2.2.1 response for MD5 with qop=auth. */
export function digestResponse(a: Record<string, string>, password: string, method: string): string {
  const ha1 = md5(`${a["username"]}:${a["realm"]}:${password}`);
  const ha2 = md5(`${method}:${a["uri"]}`);
  return a["qop"] ? md5(`${ha1}:${a["nonce"]}:${a["nc"]}:${a["cnonce"]}:${a["qop"]}:${ha2}`) : md5(`${ha1}:${a["nonce"]}:${ha2}`);
}

export interface RegistrarOptions {
  realm?: string;
  users?: Record<string, string>;
  /** Largest expires granted (like kamailio's max_expires). */
  maxExpires?: number;
  minExpires?: number;
  /** Nonces older than this are stale (ms, by the clock passed to handle). */
  nonceTtlMs?: number;
}

/** A scripted registrar with digest authentication. Feed it requests; it returns responses. */
export class Registrar {
  readonly realm: string;
  readonly bindings = new Map<string, { contact: string; until: number }>();
  registers = 0;
  challenges = 0;
  private nonces = new Map<string, number>();
  private n = 0;
  constructor(readonly o: RegistrarOptions = {}) { this.realm = o.realm ?? "test.example"; }

  /** Handles a REGISTER at time now (ms); returns the response text. */
  handle(m: SipMessage, now: number): string {
    this.registers++;
    const auth = hdr(m, "authorization");
    const user = /sip:([^@>;]+)@/.exec(hdr(m, "to") ?? "")?.[1] ?? "";
    const challenge = (stale: boolean): string => {
      const nonce = `n${++this.n}x${now}`;
      this.nonces.set(nonce, now);
      this.challenges++;
      return respond(m, 401, "Unauthorized", [`WWW-Authenticate: Digest realm="${this.realm}", nonce="${nonce}", qop="auth", algorithm=MD5${stale ? ", stale=true" : ""}`]);
    };
    if (!auth) return challenge(false);
    const a = parseDigest(auth);
    const born = this.nonces.get(a["nonce"] ?? "");
    const pass = this.o.users?.[a["username"] ?? ""];
    if (born === undefined || pass === undefined) return challenge(false);
    if (digestResponse(a, pass, "REGISTER") !== a["response"]) return challenge(false);
    if (this.o.nonceTtlMs !== undefined && now - born > this.o.nonceTtlMs) return challenge(true);
    const contact = hdr(m, "contact") ?? "";
    let expires = Number(param(contact, "expires") ?? hdr(m, "expires") ?? 3600);
    if (expires > 0 && this.o.minExpires && expires < this.o.minExpires) return respond(m, 423, "Interval Too Brief", [`Min-Expires: ${this.o.minExpires}`]);
    if (this.o.maxExpires && expires > this.o.maxExpires) expires = this.o.maxExpires;
    const uri = /<([^>]+)>/.exec(contact)?.[1] ?? "";
    if (expires === 0) this.bindings.delete(user);
    else this.bindings.set(user, { contact: uri, until: now + expires * 1000 });
    return respond(m, 200, "OK", expires > 0 ? [`Contact: <${uri}>;expires=${expires}`] : []);
  }
}
