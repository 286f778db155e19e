/** OpenTracing's `span.kind` tag values that both OTLP and Zipkin can express. */
export type RemoteSpanKind = 'server' | 'client' | 'producer' | 'consumer';

/**
 * The kind a `span.kind` tag names, case-insensitively, or undefined for an absent or
 * unknown value (`rpc.server`, `internal`, ...), which exporters keep as a plain tag.
 */
export function remoteSpanKind(tag: unknown): RemoteSpanKind | undefined {
  if (typeof tag !== 'string') return undefined;
  switch (tag.toLowerCase()) {
    case 'server':
      return 'server';
    case 'client':
      return 'client';
    case 'producer':
      return 'producer';
    case 'consumer':
      return 'consumer';
    default:
      return undefined;
  }
}
