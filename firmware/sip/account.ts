// The SIP account as the settings describe it (sip.user, sip.auth_user, sip.password,
// sip.domain, sip.proxy, sip.display): our address-of-record, the registrar and the next hop.
// Reloaded when the settings change; everything else reads it from here.
import * as settings from "../console/settings";
import { indexOf, parseU32 } from "../sys/bytes";
import { Writer } from "../sys/bytes";
import { parseUri, S_SIP } from "./uri";
import { SipUri } from "./uri";
import { T } from "../sys/text";

const HOST_MAX: i32 = 128;
/** Registrar / domain host (sip.domain without its port). */
export const domainHost = memory.data(HOST_MAX);
export let domainHostLen: i32 = 0;
export let domainPort: i32 = 5060;
/** Outbound proxy host, when sip.proxy is set. */
export const proxyHost = memory.data(HOST_MAX);
export let proxyHostLen: i32 = 0;
export let proxyPort: i32 = 5060;

const proxyUri = new SipUri();

/** Reloads from the active settings. */
export function reload(): void {
  const dp = settings.valuePtr(settings.K_SIP_DOMAIN);
  const dn = settings.valueLen(settings.K_SIP_DOMAIN);
  const colon = indexOf(dp, dn, 58);
  domainHostLen = colon >= 0 ? colon : dn;
  memory.copy(domainHost, dp, <usize>domainHostLen);
  domainPort = 5060;
  if (colon >= 0) {
    const p = parseU32(dp + <usize>colon + 1, dn - colon - 1);
    if (p > 0 && p < 65536) domainPort = <i32>p;
  }
  proxyHostLen = 0;
  proxyPort = 5060;
  const pp = settings.valuePtr(settings.K_SIP_PROXY);
  const pn = settings.valueLen(settings.K_SIP_PROXY);
  if (pn > 0 && parseUri(pp, 0, pn, proxyUri) && proxyUri.scheme == S_SIP && proxyUri.host.len <= HOST_MAX) {
    proxyHostLen = proxyUri.host.len;
    memory.copy(proxyHost, pp + <usize>proxyUri.host.off, <usize>proxyHostLen);
    if (proxyUri.port > 0) proxyPort = proxyUri.port;
  }
}

/** True when there is an account to register: a user and a domain. */
export function configured(): bool {
  return settings.valueLen(settings.K_SIP_USER) > 0 && domainHostLen > 0;
}

/** True when requests go through an outbound proxy. */
export function hasProxy(): bool { return proxyHostLen > 0; }

/** The next hop for out-of-dialog requests: the proxy, else the domain. */
export function hopHost(): usize { return proxyHostLen > 0 ? proxyHost : domainHost; }
export function hopHostLen(): i32 { return proxyHostLen > 0 ? proxyHostLen : domainHostLen; }
export function hopPort(): i32 { return proxyHostLen > 0 ? proxyPort : domainPort; }

const USER_32_63: u32 = 0xabffffd2;

/** Writes a user part, %-escaping what RFC 3261 25.1 does not allow unescaped there. */
export function writeUser(w: Writer, p: usize, n: i32): Writer {
  for (let i = 0; i < n; i++) {
    const c = <i32>load<u8>(p + <usize>i);
    // Letters, _ and ~; and from 32 to 63 (a bit each in USER_32_63): digits, the unreserved
    // marks - . ! * ' ( ) and the user-unreserved & = + $ , ; ? /
    const ok = <u32>((c | 0x20) - 97) < 26 || c == 95 || c == 126 || <u32>(c - 32) < 32 && (USER_32_63 >>> <u32>(c - 32) & 1) != 0;
    if (ok) w.byte(c); else w.byte(37).hex(<u64>c, 2);
  }
  return w;
}

/** sip:user@domain (the address-of-record; domain as configured, with its port). */
export function writeAor(w: Writer): Writer {
  w.str(T("sip:"));
  writeUser(w, settings.valuePtr(settings.K_SIP_USER), settings.valueLen(settings.K_SIP_USER)).byte(64);
  return w.bytes(settings.valuePtr(settings.K_SIP_DOMAIN), settings.valueLen(settings.K_SIP_DOMAIN));
}

/** sip:domain (the registrar's Request-URI, RFC 3261 10.2). */
export function writeDomainUri(w: Writer): Writer {
  return w.str(T("sip:")).bytes(settings.valuePtr(settings.K_SIP_DOMAIN), settings.valueLen(settings.K_SIP_DOMAIN));
}

/** Route: <sip:proxy;lr> when an outbound proxy is set (RFC 3261 8.1.2 pre-existing route set). */
export function writeProxyRoute(w: Writer): Writer {
  if (proxyHostLen == 0) return w;
  w.str(T("Route: <sip:")).bytes(proxyHost, proxyHostLen);
  if (proxyPort != 5060) w.byte(58).dec(<u64>proxyPort);
  return w.str(T(";lr>")).crlf();
}

/** The digest user name: sip.auth_user, else sip.user. */
export function authUser(): usize {
  return settings.valueLen(settings.K_SIP_AUTH_USER) > 0 ? settings.valuePtr(settings.K_SIP_AUTH_USER) : settings.valuePtr(settings.K_SIP_USER);
}
export function authUserLen(): i32 {
  const n = settings.valueLen(settings.K_SIP_AUTH_USER);
  return n > 0 ? n : settings.valueLen(settings.K_SIP_USER);
}
