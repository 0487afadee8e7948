// The interop test harness: real SIP peers (kamailio, baresip) and the simulator as processes on
// loopback, their control channels, and audio analysis. docs/testing.md shows how to use it.
export * from "./proc.js";
export * from "./ports.js";
export * from "./sip-uac.js";
export * from "./kamailio.js";
export * from "./ctrl-tcp.js";
export * from "./wav.js";
export * from "./analysis.js";
export * from "./baresip.js";
export * from "./sim.js";
export * from "./peers.js";
export * from "./pcap.js";
