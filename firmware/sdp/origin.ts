// The origin line of our session descriptions (RFC 4566 5.2, RFC 3264 5 and 8): one session id
// for the call and a version that moves by one whenever our SDP changes (build.ts compares a
// hash of what follows the o= line with the last one sent: same SDP, same version).

/** The origin state the call keeps. */
// @final with an explicit return: built over a zero-filled __new block, no field-by-field
// initialisation (the constructor sets the non-zero defaults).
@final export class SdpOrigin {
  sessId: u64 = 0;
  version: u64 = 0;
  hash: u32 = 0;
  sent: bool = false;

  constructor() { return changetype<SdpOrigin>(__new(offsetof<SdpOrigin>(), idof<SdpOrigin>())); }

  /** A new session (a new call): sessId should be random; the version starts equal to it. */
  start(sessId: u64): void {
    this.sessId = this.version = sessId;
    this.hash = 0;
    this.sent = false;
  }
}
