import type { FinishedSpan } from '../recording/finished-span';

/**
 * A request body built span by span, in one wire format, so that an exporter can send
 * a batch as several requests under a size bound and leave out a span that cannot be
 * encoded without losing the others.
 *
 *     body.add(span);                  // throws if this span cannot be encoded; nothing of it stays
 *     if (body.size() > maxRequestBytes) body.removeLast();
 *     const bytes = body.take();       // and the body is empty again
 */
export interface RequestBody {
  /** the Content-Type of the bodies it makes */
  readonly contentType: string;
  /** spans in the body under way */
  readonly count: number;
  /** Encodes `span` at the end of the body; on a throw nothing of the span stays in it. */
  add(span: FinishedSpan): void;
  /** Bytes the body has now. */
  size(): number;
  /** Takes the last span added back out. */
  removeLast(): void;
  /** The body, as bytes; the builder starts a new, empty one. */
  take(): Buffer;
  /** Forgets the body under way. */
  clear(): void;
}
