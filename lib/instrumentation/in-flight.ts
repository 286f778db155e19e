/**
 * `disable()` must not strand the spans of requests under way: the channels that end
 * spans stay subscribed until the last span started before `disable()` has ended, then
 * go too. Counts what is in flight; `stopEnds` unsubscribes the ending channels.
 */
export class InFlight {
  private count = 0;
  private stopped = false;
  private endsStopped = false;

  constructor(private readonly stopEnds: () => void) {}

  started(): void {
    this.count++;
  }

  ended(): void {
    this.count--;
    if (this.stopped && this.count <= 0) this.stopEndsOnce();
  }

  /** No new spans from now on; the ending channels go once nothing is in flight. */
  stop(): void {
    this.stopped = true;
    if (this.count <= 0) this.stopEndsOnce();
  }

  private stopEndsOnce(): void {
    if (this.endsStopped) return;
    this.endsStopped = true;
    this.stopEnds();
  }
}
