/**
 * Handler threads for the local engine: Lambda runs each invocation in an execution environment of its
 * own, so a workflow's concurrent Task states (a Map state's batches) run side by side on as many cores.
 * In the engine's own thread they took turns on one: a monthly run's handlers kept that thread busy while
 * the machine's other cores waited. Each thread is a warm sandbox (handler-thread.ts); an invocation goes
 * to the thread with the fewest in flight.
 *
 * The threads share the process's environment (SHARE_ENV): the stack sets the AWS_ENDPOINT_URL_* variables
 * after the engine is built, and a test may change a setting before it starts an execution. A thread that
 * dies (an uncaught error, out of memory) fails its invocations with Runtime.ExitError, as Lambda reports a
 * crashed runtime, and a fresh thread takes its place.
 */
import { SHARE_ENV, Worker } from 'node:worker_threads';
import type { HandlerInvoker, InvocationContext } from './lambda-runtime.ts';

/** What the engine sends a thread: one invocation. `event` is JSON text. */
export interface HandlerInvocation {
  id: number;
  entryUrl: string;
  event: string;
  context: InvocationContext;
}

/** What a thread answers; `result` is JSON text (undefined when the handler returned nothing). */
export type HandlerReply =
  | { id: number; ok: true; result: string | undefined }
  | { id: number; ok: false; error: { name: string; message: string; stack?: string | undefined } };

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
}

interface HandlerThread {
  worker: Worker;
  pending: Map<number, Pending>;
}

const ENTRY = new URL('./handler-thread.mjs', import.meta.url);

function errorFrom(document: { name: string; message: string; stack?: string | undefined }): Error {
  const error = new Error(document.message);
  error.name = document.name;
  error.stack = document.stack ?? `${document.name}: ${document.message}`;
  return error;
}

export class HandlerPool implements HandlerInvoker {
  private readonly threads: HandlerThread[] = [];
  private nextId = 1;
  private closed = false;

  constructor(readonly size: number) {
    if (!(size >= 1)) throw new RangeError(`HandlerPool: size must be at least 1, got ${size}`);
  }

  /** Runs the handler exported by `entryUrl` on `event` (JSON text); resolves with its result. */
  invoke(entryUrl: string, event: string, context: InvocationContext): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('handler pool closed'));
    const thread = this.leastBusy();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      thread.pending.set(id, { resolve, reject });
      thread.worker.postMessage({ id, entryUrl, event, context } satisfies HandlerInvocation);
    });
  }

  /** Stops every thread; invocations in flight fail (as a crash would leave them: the journal resumes them). */
  async close(): Promise<void> {
    this.closed = true;
    const threads = this.threads.splice(0);
    await Promise.all(threads.map((thread) => thread.worker.terminate()));
  }

  private leastBusy(): HandlerThread {
    if (this.threads.length < this.size) {
      // A new thread per invocation until the pool is full: the first batches do not queue on one thread.
      const idle = this.threads.find((thread) => thread.pending.size === 0);
      if (idle) return idle;
      return this.spawn();
    }
    let best = this.threads[0]!;
    for (const thread of this.threads) if (thread.pending.size < best.pending.size) best = thread;
    return best;
  }

  private spawn(): HandlerThread {
    const worker = new Worker(ENTRY, { env: SHARE_ENV });
    const thread: HandlerThread = { worker, pending: new Map() };
    this.threads.push(thread);
    worker.on('message', (reply: HandlerReply) => {
      const pending = thread.pending.get(reply.id);
      if (!pending) return;
      thread.pending.delete(reply.id);
      if (reply.ok) pending.resolve(reply.result === undefined ? undefined : JSON.parse(reply.result));
      else pending.reject(errorFrom(reply.error));
    });
    const fail = (cause: string) => {
      const index = this.threads.indexOf(thread);
      if (index >= 0) this.threads.splice(index, 1);
      for (const pending of thread.pending.values())
        pending.reject(errorFrom({ name: 'Runtime.ExitError', message: `handler thread ended: ${cause}` }));
      thread.pending.clear();
    };
    worker.on('error', (error) => fail((error as Error)?.message ?? String(error)));
    worker.on('exit', (code) => fail(`exit code ${code}`));
    return thread;
  }
}
