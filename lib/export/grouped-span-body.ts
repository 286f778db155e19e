import type { FinishedSpan } from '../recording/finished-span';
import type { ByteBuffer } from './byte-buffer';
import type { RequestBody } from './request-body';

/** The spans of one resource (one tracer) and one instrumentation scope in the body under way. */
export interface SpanGroup {
  /** the resource, already encoded in the body's format */
  resource: Uint8Array;
  /** the scope, already encoded as the body's format frames it (see the subclass) */
  scope: Uint8Array;
  /** bytes of its span frames */
  spanBytes: number;
}

/**
 * A request body whose spans are grouped by resource and instrumentation scope (OTLP's
 * ResourceSpans, one ScopeSpans each; a resource with spans of two scopes appears twice), written
 * span by span into one scratch buffer: each span as a frame ready for the body.
 *
 * A body of one group (nearly every body: one tracer per process) is never copied: room
 * for its envelope's head is kept before the first frame, the head and tail are written
 * around the frames, and the body is a view of the scratch buffer, which is handed off
 * (the next body gets a new buffer of the last one's size). Otherwise `take()` lays the
 * envelope around the groups, in order of first appearance, in a buffer of the exact
 * size, copying each group's frames a run of adjacent ones at a time. Subclasses say
 * how a span is framed and what the envelope is.
 */
export abstract class GroupedSpanBody<Writer extends ByteBuffer> implements RequestBody {
  abstract readonly contentType: string;
  /** where each span's frame starts in the scratch buffer (frames are contiguous) */
  private readonly starts: number[] = [];
  /** each span's group */
  private readonly groupOf: number[] = [];
  protected readonly groups: SpanGroup[] = [];
  /** where the first frame starts: the room kept before it for a one-group envelope's head */
  private firstFrame = 0;

  protected constructor(
    protected readonly w: Writer,
    private readonly resourceFor: (span: FinishedSpan) => Uint8Array,
    private readonly scopeFor: (span: FinishedSpan) => Uint8Array,
    private readonly maxSpanBytes: number,
  ) {}

  /** Writes one span's frame at the writer's position. */
  protected abstract writeFrame(span: FinishedSpan): void;
  /** Bytes of the whole body around groups of these sizes. */
  protected abstract bodySize(groups: readonly SpanGroup[]): number;
  /** Writes the body: `writeFrames(out, at, index)` copies group `index`'s frames and returns where they end. */
  protected abstract writeBody(out: Buffer, writeFrames: (out: Buffer, at: number, index: number) => number): number;
  /** The most bytes a one-group envelope's head can take, for this resource and scope. */
  protected abstract headRoom(resource: Uint8Array, scope: Uint8Array): number;
  /**
   * Writes a one-group envelope around its frames, which lie in the scratch buffer from
   * `framesStart` to the writer's position: the head ending at `framesStart`, the tail
   * after the frames. Returns where the body starts and ends.
   */
  protected abstract wrapOneGroup(group: SpanGroup, framesStart: number): { start: number; end: number };

  get count(): number {
    return this.starts.length;
  }

  add(span: FinishedSpan): void {
    const resource = this.resourceFor(span);
    const scope = this.scopeFor(span);
    const w = this.w;
    if (this.starts.length === 0) {
      this.firstFrame = this.headRoom(resource, scope);
      w.rewind(0);
      w.setLimit(Infinity);
      w.ensure(this.firstFrame);
      w.rewind(this.firstFrame);
    }
    const start = w.pos;
    w.setLimit(start + this.maxSpanBytes);
    try {
      this.writeFrame(span);
    } catch (error) {
      w.rewind(start);
      throw error;
    }
    const groups = this.groups;
    let index = groups.length - 1;
    if (index < 0 || groups[index].resource !== resource || groups[index].scope !== scope) {
      index = groups.findIndex((g) => g.resource === resource && g.scope === scope);
      if (index < 0) index = groups.push({ resource, scope, spanBytes: 0 }) - 1;
    }
    groups[index].spanBytes += w.pos - start;
    this.starts.push(start);
    this.groupOf.push(index);
  }

  size(): number {
    return this.groups.length === 0 ? 0 : this.bodySize(this.groups);
  }

  removeLast(): void {
    const start = this.starts.pop();
    const index = this.groupOf.pop();
    if (start === undefined || index === undefined) return;
    const group = this.groups[index];
    group.spanBytes -= this.w.pos - start;
    // A group the last span opened holds nothing any more.
    if (group.spanBytes === 0 && index === this.groups.length - 1) this.groups.pop();
    this.w.rewind(start);
  }

  take(): Buffer {
    if (this.groups.length === 1) {
      const { start, end } = this.wrapOneGroup(this.groups[0], this.firstFrame);
      const body = this.w.buf.subarray(start, end);
      this.starts.length = 0;
      this.groupOf.length = 0;
      this.groups.length = 0;
      this.w.handOff(end);
      return body;
    }
    const out = Buffer.allocUnsafe(this.size());
    const end = this.writeBody(out, (target, at, index) => this.copyFrames(target, at, index));
    this.clear();
    return end === out.length ? out : out.subarray(0, end);
  }

  clear(): void {
    this.starts.length = 0;
    this.groupOf.length = 0;
    this.groups.length = 0;
    this.w.reset();
  }

  private copyFrames(out: Buffer, at: number, index: number): number {
    const scratch = this.w.buf;
    const starts = this.starts;
    let runStart = -1;
    let runEnd = -1;
    for (let i = 0; i < starts.length; i++) {
      if (this.groupOf[i] !== index) continue;
      const start = starts[i];
      const end = i + 1 < starts.length ? starts[i + 1] : this.w.pos;
      if (start !== runEnd) {
        if (runStart >= 0) at += scratch.copy(out, at, runStart, runEnd);
        runStart = start;
      }
      runEnd = end;
    }
    if (runStart >= 0) at += scratch.copy(out, at, runStart, runEnd);
    return at;
  }
}
