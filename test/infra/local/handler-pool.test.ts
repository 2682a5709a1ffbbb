/**
 * The local engine's handler threads (infra/local/handler-pool.ts): what crosses the thread boundary and
 * what a dying thread does to its invocations.
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { HandlerPool, type HandlerInvocation } from '../../../infra/local/handler-pool.ts';
import { handlerThreadsOfMachine } from '../../../infra/local/stack.ts';

const PROBE = pathToFileURL(resolve('test/fixtures/handlers/thread-probe.ts')).href;
const context = (): HandlerInvocation['context'] => ({
  functionName: 'dondoc-Probe',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:ap-southeast-1:000000000000:function:dondoc-Probe',
  memoryLimitInMB: '256',
  awsRequestId: 'req-1',
  logGroupName: '/aws/lambda/dondoc-Probe',
  logStreamName: 'local',
  callbackWaitsForEmptyEventLoop: true,
  deadline: Date.now() + 30_000,
});

describe('handler threads', () => {
  let pool: HandlerPool | undefined;
  afterEach(async () => {
    await pool?.close();
    pool = undefined;
  });

  it('runs the handler off the engine thread, with the event and a Lambda context, and returns its result', async () => {
    pool = new HandlerPool(1);
    const value = { amount: 19_580_000, name: 'Công ty TNHH Đồng Tâm', nested: [1, { ok: true }] };
    const result = (await pool.invoke(PROBE, JSON.stringify({ action: 'echo', value }), context())) as Record<
      string,
      unknown
    >;
    expect(result).toMatchObject({ value, isMainThread: false, functionName: 'dondoc-Probe' });
    expect(result.remainingMs).toBeGreaterThan(25_000);
    expect(result.remainingMs).toBeLessThanOrEqual(30_000);
    expect(await pool.invoke(PROBE, JSON.stringify({ action: 'nothing' }), context())).toBeUndefined();
  });

  it("fails with the handler's error name and message, which Retry and Catch match", async () => {
    pool = new HandlerPool(1);
    const failure = pool.invoke(PROBE, JSON.stringify({ action: 'fail', value: 42 }), context());
    await expect(failure).rejects.toMatchObject({ name: 'ProbeError', message: 'failed on purpose with 42' });
    await expect(failure).rejects.toHaveProperty('stack', expect.stringContaining('thread-probe.ts'));
  });

  it("sees the process's environment as it is when the handler runs (the stack sets endpoints later)", async () => {
    pool = new HandlerPool(1);
    const variable = 'DONDOC_THREAD_PROBE';
    delete process.env[variable];
    const before = (await pool.invoke(PROBE, JSON.stringify({ action: 'echo', variable }), context())) as {
      variable: unknown;
    };
    process.env[variable] = 'đã đặt';
    try {
      const after = (await pool.invoke(PROBE, JSON.stringify({ action: 'echo', variable }), context())) as {
        variable: unknown;
      };
      expect([before.variable, after.variable]).toEqual([null, 'đã đặt']);
    } finally {
      delete process.env[variable];
    }
  });

  it('spreads invocations in flight over its threads', async () => {
    pool = new HandlerPool(2);
    const hanging = pool.invoke(PROBE, JSON.stringify({ action: 'hang' }), context());
    hanging.catch(() => undefined);
    const echo = (await pool.invoke(PROBE, JSON.stringify({ action: 'echo' }), context())) as {
      threadId: number;
    };
    const again = (await pool.invoke(PROBE, JSON.stringify({ action: 'echo' }), context())) as {
      threadId: number;
    };
    // The first thread is busy with the hanging invocation: both went to the second one.
    expect(echo.threadId).toBe(again.threadId);
    await pool.close();
    await expect(hanging).rejects.toMatchObject({ name: 'Runtime.ExitError' });
  });

  it('fails the invocations of a thread that dies with Runtime.ExitError, and goes on with a fresh thread', async () => {
    pool = new HandlerPool(1);
    const first = (await pool.invoke(PROBE, JSON.stringify({ action: 'echo' }), context())) as {
      threadId: number;
    };
    await expect(pool.invoke(PROBE, JSON.stringify({ action: 'exit' }), context())).rejects.toMatchObject({
      name: 'Runtime.ExitError',
      message: expect.stringContaining('exit code 3'),
    });
    const next = (await pool.invoke(PROBE, JSON.stringify({ action: 'echo', value: 'sau' }), context())) as {
      threadId: number;
      value: unknown;
    };
    expect(next.value).toBe('sau');
    expect(next.threadId).not.toBe(first.threadId);
  });

  it('refuses invocations once closed', async () => {
    pool = new HandlerPool(1);
    await pool.close();
    await expect(pool.invoke(PROBE, JSON.stringify({ action: 'echo' }), context())).rejects.toThrow(/closed/);
  });
});

describe('how many handler threads npm start and the bench use', () => {
  it('takes DONDOC_HANDLER_THREADS when set (0: the engine thread), and refuses anything but a whole number', () => {
    expect(handlerThreadsOfMachine({ DONDOC_HANDLER_THREADS: '0' })).toBe(0);
    expect(handlerThreadsOfMachine({ DONDOC_HANDLER_THREADS: '3' })).toBe(3);
    for (const bad of ['two', '-1', '1.5'])
      expect(() => handlerThreadsOfMachine({ DONDOC_HANDLER_THREADS: bad })).toThrow(
        /DONDOC_HANDLER_THREADS/,
      );
  });

  it('otherwise leaves one core to the engine and the emulators: between 1 and 4 threads', () => {
    expect(handlerThreadsOfMachine({})).toBe(Math.min(4, Math.max(1, availableParallelism() - 1)));
  });
});
