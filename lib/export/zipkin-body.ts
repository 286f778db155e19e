import type { FinishedSpan } from '../recording/finished-span';
import { SpanTooLargeError } from './encoding-bounds';
import type { RequestBody } from './request-body';
import { toZipkinSpan } from './zipkin-json';
import type { ZipkinMappingOptions } from './zipkin-json';

/**
 * A Zipkin v2 JSON body (a list of spans) built span by span: each span's JSON is made
 * on its own, within the size bound, and `take()` joins them.
 *
 *     const body = new ZipkinBody((span) => processTags, { maxSpanBytes: 4 << 20 });
 *     body.add(span);
 *     const bytes = body.take();
 */
export class ZipkinBody implements RequestBody {
  readonly contentType = 'application/json';
  private readonly pieces: string[] = [];
  private readonly pieceBytes: number[] = [];
  private bytes = 0;
  private readonly mapping: ZipkinMappingOptions;

  constructor(
    private readonly processTagsFor: (span: FinishedSpan) => Readonly<Record<string, string>> | undefined,
    private readonly options: { includeBaggage: boolean; maxSpanBytes: number },
  ) {
    this.mapping = { includeBaggage: options.includeBaggage, maxChars: options.maxSpanBytes };
  }

  get count(): number {
    return this.pieces.length;
  }

  add(span: FinishedSpan): void {
    const text = JSON.stringify(toZipkinSpan(span, this.processTagsFor(span), this.mapping));
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > this.options.maxSpanBytes) throw new SpanTooLargeError();
    this.pieces.push(text);
    this.pieceBytes.push(bytes);
    this.bytes += bytes;
  }

  size(): number {
    // `[`, `]` and a comma between spans.
    return this.pieces.length === 0 ? 0 : this.bytes + this.pieces.length + 1;
  }

  removeLast(): void {
    if (this.pieces.pop() !== undefined) this.bytes -= this.pieceBytes.pop() as number;
  }

  take(): Buffer {
    const body = Buffer.from(`[${this.pieces.join(',')}]`, 'utf8');
    this.clear();
    return body;
  }

  clear(): void {
    this.pieces.length = 0;
    this.pieceBytes.length = 0;
    this.bytes = 0;
  }
}
