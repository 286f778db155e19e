/**
 * Lets a discarding exporter either finish every export at once or hold them all
 * (a stalled backend, for W5) until `release()`.
 */
export class ExportValve {
  private held: (() => void)[] | null;

  constructor(stalled: boolean) {
    this.held = stalled ? [] : null;
  }

  /** Whether exports are being held. */
  get stalled(): boolean {
    return this.held !== null;
  }

  /** Runs `done` when the valve is released (at once if it is open). */
  hold(done: () => void): void {
    if (this.held === null) done();
    else this.held.push(done);
  }

  /** Completes every held export; later ones complete at once. */
  release(): void {
    const held = this.held;
    this.held = null;
    if (held !== null) for (const done of held) done();
  }
}
