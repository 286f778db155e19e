/*
 * What bounds the encoding of one span, whatever its values: every exporter walks tag
 * and log values within these limits, and a span that would pass them is dropped and
 * counted alone (it never takes the rest of its batch with it).
 */

/**
 * Values nested deeper than this (objects in arrays in objects...) are sent as JSON text
 * instead of typed OTLP values; the text is bounded too, and cycles are cut.
 */
export const MAX_DEPTH = 4;

/**
 * Items of one array value that are encoded; the rest are left out. A sparse
 * `new Array(2 ** 32 - 1)` costs no more than this many empty items.
 */
export const MAX_ARRAY_VALUES = 1000;

/**
 * The largest request body an HTTP exporter sends by default: 4 MiB, the smallest limit
 * common receivers apply by default (gRPC's default message size, which the OpenTelemetry
 * Collector's OTLP/gRPC receiver keeps and which a Collector forwarding to Tempo or Jaeger
 * over gRPC meets; the Collector's OTLP/HTTP receiver takes 20 MiB). A batch whose
 * encoding is larger is sent as several requests; a span larger alone is dropped.
 */
export const DEFAULT_MAX_REQUEST_BYTES = 4 * 1024 * 1024;

/** The smallest and largest `maxRequestBytes` an exporter accepts (the top stays far below V8's string limit). */
export const MAX_REQUEST_BYTES_RANGE = Object.freeze({ min: 1024, max: 256 * 1024 * 1024 });

/** Thrown while encoding a span that alone needs more bytes than one request may carry. */
export class SpanTooLargeError extends RangeError {
  constructor() {
    super('the span alone is larger than one request may be (maxRequestBytes)');
    this.name = 'SpanTooLargeError';
  }
}

/** Thrown for a span whose ids are not lowercase hex of the right length: no backend would take it. */
export class InvalidSpanError extends TypeError {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSpanError';
  }
}
