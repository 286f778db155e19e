/**
 * The bounds `extract` and `inject` work within. Input beyond them is cut off or dropped,
 * never parsed in full and never an exception, so a hostile or broken peer costs a
 * bounded amount of time and memory per request.
 *
 *     PROPAGATION_LIMITS.maxBaggageBytes; // 8192
 */
export const PROPAGATION_LIMITS = Object.freeze({
  /** a `traceparent` longer than this (before trimming) is ignored; version 00 needs 55 */
  maxTraceparentLength: 512,
  /** a `tracestate` longer than this, after joining repeated headers, is dropped whole */
  maxTracestateLength: 16384,
  /** a `tracestate` with more list members than this is dropped whole (W3C Trace Context) */
  maxTracestateMembers: 32,
  /** baggage members read per format, and written (the same ones in every format); later members are dropped (W3C Baggage asks for at least 64) */
  maxBaggageMembers: 180,
  /**
   * bytes of baggage read per format, and written summed over every format that carries
   * baggage (the `baggage` value, plus name and value of each `uberctx-*` / `ot-baggage-*`
   * header), so a downstream server's header limit (Node: 16 KiB) is never passed; members
   * past it are dropped (W3C Baggage: 8192)
   */
  maxBaggageBytes: 8192,
  /** a single baggage member (`key=value`, encoded) longer than this is dropped */
  maxBaggageMemberBytes: 4096,
  /** values of one repeated header that are read; later values are ignored */
  maxHeaderValues: 64,
  /** characters of one header read after joining repeated values; later values are ignored */
  maxJoinedHeaderLength: 65536,
  /** header names looked at when a carrier is searched case-insensitively or by prefix */
  maxCarrierNames: 1024,
  /** a binary carrier longer than this is ignored */
  maxBinaryLength: 65536,
});
