// The part of the npm package `sip` (0.0.6, untyped CommonJS) the SIP parse rows use.
declare module "sip" {
  namespace sip {
    interface Via { version: string; protocol: string; host: string; port?: number; params: Record<string, string | null> }
    interface NameAddr { name?: string; uri: string; params: Record<string, string | null> }
    interface Message {
      method?: string;
      uri?: string;
      status?: number;
      reason?: string;
      version: string;
      headers: {
        via?: Via[];
        from?: NameAddr;
        to?: NameAddr;
        "call-id"?: string;
        cseq?: { seq: number; method: string };
        contact?: NameAddr[] | "*";
        [name: string]: unknown;
      };
      content: string;
    }
    /** Parses one datagram (Buffer or string); undefined when the start line or a header line is malformed. */
    function parse(data: Buffer | string): Message | undefined;
  }
  export default sip;
}
