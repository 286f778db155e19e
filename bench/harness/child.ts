import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import * as path from 'node:path';

const REGISTER = path.join(__dirname, '..', 'register.js');
const CHILD_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter((f) => f !== '');

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: string;
}

/**
 * A bench process (bench/worker.ts or bench/http/server.ts) and a request/reply
 * channel to it over IPC. It loads TypeScript through bench/register.js.
 */
export class Child {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  private exited = false;

  private constructor(
    readonly label: string,
    private readonly process: ChildProcess,
  ) {
    process.on('message', (message: Reply) => {
      const waiter = this.pending.get(message.id);
      if (waiter === undefined) return;
      this.pending.delete(message.id);
      if (message.ok) waiter.resolve(message.result);
      else waiter.reject(new Error(`${label}: ${message.error}`));
    });
    process.on('exit', (code, signal) => {
      this.exited = true;
      for (const waiter of this.pending.values()) waiter.reject(new Error(`${label} exited (${signal ?? code})`));
      this.pending.clear();
    });
  }

  /**
   * Starts `script` (a .ts file under bench/) with `args`; `flags` are extra node flags
   * (given before the TypeScript loader, so a `-r` preload among them runs first), `env`
   * extra environment variables.
   */
  static start(label: string, script: string, args: string[], flags: string[] = [], env: NodeJS.ProcessEnv = {}): Child {
    const child = fork(script, args, {
      execArgv: [...CHILD_FLAGS, ...flags, '-r', REGISTER],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new Child(label, child);
  }

  /** Sends a command and waits for its reply (rejects after `timeoutMillis`: a hung child must not hang the bench). */
  request<T>(message: Record<string, unknown>, timeoutMillis = 120_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.label} is not running`));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.label}: no reply to ${String(message.cmd)} within ${timeoutMillis} ms`));
      }, timeoutMillis);
      timer.unref();
      const settle =
        <V>(done: (value: V) => void) =>
        (value: V) => {
          clearTimeout(timer);
          done(value);
        };
      this.pending.set(id, { resolve: settle(resolve as (value: unknown) => void), reject: settle(reject) });
      this.process.send({ ...message, id });
    });
  }

  /** Asks the process to close and exit; kills it if it has not within `graceMillis`. */
  async stop(graceMillis = 3000): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    this.request({ cmd: 'close' }).catch(() => undefined);
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMillis);
    await exited;
    clearTimeout(timer);
  }
}

/** The serving side of `Child`: answers each command with `handle`'s result or error. */
export function serveCommands(handle: (message: Record<string, unknown>) => Promise<unknown>): void {
  // Orphaned (the orchestrator died): leave at once rather than keep a server or timers running.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (message: Record<string, unknown>) => {
    const id = message.id as number;
    handle(message).then(
      (result) => process.send!({ id, ok: true, result }),
      (error: unknown) => process.send!({ id, ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
}
