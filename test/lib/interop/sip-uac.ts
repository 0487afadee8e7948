// A minimal SIP client over UDP for probing the peers from tests (RFC 3261 8.1 UAC behaviour,
// 17.1.2 non-INVITE client transaction with Timer E/F retransmission, 22 digest authentication
// with RFC 2617 qop=auth). It sends one out-of-dialog non-INVITE request at a time and answers
// one 401/407 challenge. Enough to ask a registrar who is registered (RFC 3261 10.2.3: a
// REGISTER without Contact lists the bindings) and to see whether a server answers (OPTIONS).
import { createHash, randomBytes } from "node:crypto";
import dgram from "node:dgram";
import type { AddressInfo } from "node:net";

export interface SipResponse {
  status: number;
  reason: string;
  /** Header values by lower-case full name, in order; comma-separated values are not split. */
  headers: Map<string, string[]>;
  raw: string;
}

/** First value of a header (compact forms resolved), or undefined. */
export function header(r: SipResponse, name: string): string | undefined {
  return r.headers.get(name.toLowerCase())?.[0];
}

const COMPACT: Record<string, string> = {
  i: "call-id", m: "contact", e: "content-encoding", l: "content-length", c: "content-type",
  f: "from", s: "subject", k: "supported", t: "to", v: "via",
};

/** Parses a SIP response (status line and headers; the body is ignored). Throws on a request or garbage. */
export function parseResponse(text: string): SipResponse {
  const headEnd = text.indexOf("\r\n\r\n");
  const head = (headEnd >= 0 ? text.slice(0, headEnd) : text).replace(/\r\n[ \t]+/g, " ");
  const lines = head.split("\r\n");
  const m = /^SIP\/2\.0 (\d{3}) ?(.*)$/.exec(lines[0] ?? "");
  if (!m) throw new Error(`not a SIP response: ${JSON.stringify((lines[0] ?? "").slice(0, 80))}`);
  const headers = new Map<string, string[]>();
  for (const l of lines.slice(1)) {
    const c = l.indexOf(":");
    if (c <= 0) continue;
    let name = l.slice(0, c).trim().toLowerCase();
    name = COMPACT[name] ?? name;
    const list = headers.get(name) ?? [];
    list.push(l.slice(c + 1).trim());
    headers.set(name, list);
  }
  return { status: Number(m[1]), reason: m[2]!, headers, raw: text };
}

/** Splits a header value list at commas outside quotes and angle brackets. */
export function splitList(value: string): string[] {
  const out: string[] = [];
  let depth = 0, quoted = false, start = 0;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '"' && value[i - 1] !== "\\") quoted = !quoted;
    else if (!quoted && ch === "<") depth++;
    else if (!quoted && ch === ">") depth--;
    else if (!quoted && depth === 0 && ch === ",") { out.push(value.slice(start, i).trim()); start = i + 1; }
  }
  const last = value.slice(start).trim();
  if (last) out.push(last);
  return out;
}

/** The auth-params of a `Digest ...` challenge (quotes removed; names lower case). */
export function parseChallenge(value: string): Record<string, string> {
  const m = /^\s*Digest\s+(.*)$/is.exec(value);
  if (!m) throw new Error(`not a Digest challenge: ${value}`);
  const out: Record<string, string> = {};
  for (const p of splitList(m[1]!)) {
    const eq = p.indexOf("=");
    if (eq < 0) continue;
    let v = p.slice(eq + 1).trim();
    if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1).replace(/\\(.)/g, "$1");
    out[p.slice(0, eq).trim().toLowerCase()] = v;
  }
  return out;
}

const md5 = (s: string): string => createHash("md5").update(s).digest("hex");

/**
 * The Authorization header value answering `challenge` (RFC 2617 3.2.2: MD5, qop=auth when the
 * server offers it, else the RFC 2069 form). cnonce and nc may be fixed for test vectors.
 */
export function digestAuthorization(challenge: Record<string, string>, a: { method: string; uri: string; user: string; password: string; cnonce?: string; nc?: number }): string {
  const realm = challenge["realm"] ?? "";
  const nonce = challenge["nonce"] ?? "";
  const algorithm = challenge["algorithm"] ?? "MD5";
  if (algorithm.toUpperCase() !== "MD5") throw new Error(`digest algorithm ${algorithm} is not supported by the probe`);
  const ha1 = md5(`${a.user}:${realm}:${a.password}`);
  const ha2 = md5(`${a.method}:${a.uri}`);
  const qops = (challenge["qop"] ?? "").split(",").map((s) => s.trim().toLowerCase());
  const parts = [`username="${a.user}"`, `realm="${realm}"`, `nonce="${nonce}"`, `uri="${a.uri}"`];
  if (qops.includes("auth")) {
    const nc = (a.nc ?? 1).toString(16).padStart(8, "0");
    const cnonce = a.cnonce ?? randomBytes(8).toString("hex");
    parts.push(`response="${md5(`${ha1}:${nonce}:${nc}:${cnonce}:auth:${ha2}`)}"`, "qop=auth", `nc=${nc}`, `cnonce="${cnonce}"`);
  } else {
    parts.push(`response="${md5(`${ha1}:${nonce}:${ha2}`)}"`);
  }
  parts.push("algorithm=MD5");
  if (challenge["opaque"] !== undefined) parts.push(`opaque="${challenge["opaque"]}"`);
  return `Digest ${parts.join(", ")}`;
}

export interface RequestOptions {
  method: string;
  /** Request-URI. */
  uri: string;
  /** From and To URIs (To defaults to the Request-URI). */
  from: string;
  to?: string;
  /** Credentials for one 401/407 challenge. */
  auth?: { user: string; password: string };
  /** Extra header lines, without CRLF. */
  headers?: string[];
  /** Wall-clock limit for the whole exchange, ms (default 4000; RFC Timer F is 32 s). */
  timeoutMs?: number;
}

/** A UDP socket on a loopback address that sends requests to one server (host:port). */
export class SipUac {
  private sock: dgram.Socket | null = null;
  private cseq = 1;
  private readonly pending = new Map<string, (r: SipResponse) => void>();

  constructor(readonly server: { host: string; port: number }, readonly local = "127.0.0.1") {}

  private async socket(): Promise<dgram.Socket> {
    if (this.sock) return this.sock;
    const s = dgram.createSocket("udp4");
    s.on("message", (msg) => {
      let r: SipResponse;
      try { r = parseResponse(msg.toString("utf8")); } catch { return; }   // requests and junk are not ours
      const branch = /;branch=([^;,\s]+)/i.exec(header(r, "via") ?? "")?.[1];
      if (!branch || r.status < 200) return;                               // provisional: keep waiting
      this.pending.get(branch)?.(r);
    });
    await new Promise<void>((resolve, reject) => { s.once("error", reject); s.bind(0, this.local, () => { s.removeListener("error", reject); resolve(); }); });
    this.sock = s;
    return s;
  }

  /**
   * Sends the request and resolves with its final response, after answering one 401/407 with
   * opts.auth. Rejects when no final response comes within the timeout (retransmitting per
   * Timer E meanwhile).
   */
  async request(opts: RequestOptions): Promise<SipResponse> {
    const callId = `${randomBytes(8).toString("hex")}@intercom-probe`;
    const fromTag = randomBytes(4).toString("hex");
    const deadline = Date.now() + (opts.timeoutMs ?? 4000);
    let authLine: string | null = null;
    for (let attempt = 0; attempt < 2; attempt++) {
      const r = await this.once(opts, callId, fromTag, authLine, deadline);
      if ((r.status === 401 || r.status === 407) && opts.auth && authLine === null) {
        const ch = header(r, r.status === 401 ? "www-authenticate" : "proxy-authenticate");
        if (!ch) return r;
        const name = r.status === 401 ? "Authorization" : "Proxy-Authorization";
        authLine = `${name}: ${digestAuthorization(parseChallenge(ch), { method: opts.method, uri: opts.uri, ...opts.auth })}`;
        continue;
      }
      return r;
    }
    throw new Error("unreachable");
  }

  private async once(opts: RequestOptions, callId: string, fromTag: string, authLine: string | null, deadline: number): Promise<SipResponse> {
    const s = await this.socket();
    const port = (s.address() as AddressInfo).port;
    const branch = `z9hG4bK${randomBytes(8).toString("hex")}`;
    const lines = [
      `${opts.method} ${opts.uri} SIP/2.0`,
      `Via: SIP/2.0/UDP ${this.local}:${port};branch=${branch};rport`,
      "Max-Forwards: 70",
      `From: <${opts.from}>;tag=${fromTag}`,
      `To: <${opts.to ?? opts.uri}>`,
      `Call-ID: ${callId}`,
      `CSeq: ${this.cseq++} ${opts.method}`,
      ...(authLine ? [authLine] : []),
      ...(opts.headers ?? []),
      "User-Agent: intercom-interop-probe",
      "Content-Length: 0",
      "", "",
    ];
    const bytes = Buffer.from(lines.join("\r\n"), "utf8");
    return new Promise<SipResponse>((resolve, reject) => {
      let interval = 500;                                                  // T1, doubling up to T2 = 4 s
      let timer: NodeJS.Timeout;
      const send = (): void => { s.send(bytes, this.server.port, this.server.host); };
      const retransmit = (): void => {
        if (Date.now() >= deadline) {
          this.pending.delete(branch);
          reject(new Error(`no final response to ${opts.method} ${opts.uri} from ${this.server.host}:${this.server.port} within the timeout`));
          return;
        }
        send();
        interval = Math.min(interval * 2, 4000);
        timer = setTimeout(retransmit, Math.min(interval, Math.max(1, deadline - Date.now())));
      };
      this.pending.set(branch, (r) => { clearTimeout(timer); this.pending.delete(branch); resolve(r); });
      send();
      timer = setTimeout(retransmit, Math.min(interval, Math.max(1, deadline - Date.now())));
    });
  }

  close(): void {
    this.sock?.close();
    this.sock = null;
  }
}

export interface Binding {
  /** The contact URI (without angle brackets). */
  uri: string;
  /** Seconds left, from the contact's expires parameter (or the Expires header). */
  expires: number;
}

/**
 * Asks the registrar for the bindings of user@domain (RFC 3261 10.2.3: REGISTER without Contact),
 * authenticating as that user. Resolves with the list (empty when not registered); rejects when
 * the registrar does not answer 200.
 */
export async function queryBindings(server: { host: string; port: number }, a: { user: string; password: string; domain: string; timeoutMs?: number }): Promise<Binding[]> {
  const uac = new SipUac(server);
  try {
    const aor = `sip:${a.user}@${a.domain}`;
    const r = await uac.request({ method: "REGISTER", uri: `sip:${a.domain}`, from: aor, to: aor, auth: { user: a.user, password: a.password }, timeoutMs: a.timeoutMs });
    if (r.status !== 200) throw new Error(`registrar answered the bindings query for ${aor} with ${r.status} ${r.reason}`);
    const fallback = Number(header(r, "expires") ?? "0");
    const out: Binding[] = [];
    for (const v of r.headers.get("contact") ?? []) {
      for (const c of splitList(v)) {
        const uri = /<([^>]*)>/.exec(c)?.[1] ?? c.split(";")[0]!.trim();
        const exp = /;\s*expires\s*=\s*(\d+)/i.exec(c.replace(/<[^>]*>/, ""));
        out.push({ uri, expires: exp ? Number(exp[1]) : fallback });
      }
    }
    return out;
  } finally {
    uac.close();
  }
}
