import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { DEFAULT_MAX_REQUEST_BYTES } from '../../lib/export/encoding-bounds';
import { encodeJsonResource, encodeJsonScope, OtlpJsonBody } from '../../lib/export/otlp-json-body';
import { encodeProtobufResource, encodeProtobufScope, OtlpProtobufBody } from '../../lib/export/otlp-protobuf-body';
import { scopeEncoder } from '../../lib/export/otlp-scope';
import { ProcessRegistry } from '../../lib/export/process-registry';
import type { RequestBody } from '../../lib/export/request-body';
import { openTelemetryBatch, sextantBatch } from './w7-batch';

export const ENCODERS = ['sextant-protobuf', 'otel-protobuf', 'sextant-json', 'otel-json'] as const;
export type EncoderName = (typeof ENCODERS)[number];

export function isEncoderName(name: unknown): name is EncoderName {
  return ENCODERS.includes(name as EncoderName);
}

/** What W7 times: one call encodes the whole 512-span batch into one request body. */
export interface Encoder {
  name: EncoderName;
  encode(): Uint8Array;
}

/**
 * sextant's exporter path, as HttpSpanExporter runs it: the resource from the span's
 * process (cached per tracer), each span added on its own with the size checked after
 * it, then the body taken.
 */
function sextantEncoder(name: EncoderName, body: RequestBody): Encoder {
  const spans = sextantBatch();
  return {
    name,
    encode(): Uint8Array {
      for (let i = 0; i < spans.length; i++) {
        body.add(spans[i]);
        if (body.size() > DEFAULT_MAX_REQUEST_BYTES) throw new Error('W7: the batch should fit one request');
      }
      return body.take();
    },
  };
}

/** The encoder `name`, with its batch built. */
export function createEncoder(name: EncoderName): Encoder {
  const max = DEFAULT_MAX_REQUEST_BYTES;
  switch (name) {
    case 'sextant-protobuf': {
      const registry = new ProcessRegistry((service, tags) => encodeProtobufResource(service, tags, max));
      return sextantEncoder(
        name,
        new OtlpProtobufBody((span) => registry.forSpan(span), scopeEncoder(encodeProtobufScope), { maxSpanBytes: max }),
      );
    }
    case 'sextant-json': {
      const registry = new ProcessRegistry((service, tags) => encodeJsonResource(service, tags, max));
      return sextantEncoder(name, new OtlpJsonBody((span) => registry.forSpan(span), scopeEncoder(encodeJsonScope), { maxSpanBytes: max }));
    }
    case 'otel-protobuf': {
      const spans = openTelemetryBatch();
      return { name, encode: () => ProtobufTraceSerializer.serializeRequest(spans) as Uint8Array };
    }
    case 'otel-json': {
      const spans = openTelemetryBatch();
      return { name, encode: () => JsonTraceSerializer.serializeRequest(spans) as Uint8Array };
    }
  }
}
