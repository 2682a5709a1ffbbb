/**
 * The local Lambda runtime (infra/local/lambda-runtime.ts): invocations that overlap in one thread each log
 * under their own Lambda context, as on Lambda Managed Instances.
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runHandler, type InvocationContext } from '../../../infra/local/lambda-runtime.ts';

const PROBE = pathToFileURL(resolve('test/fixtures/handlers/log-probe.ts')).href;
const context = (functionName: string, awsRequestId: string): InvocationContext => ({
  functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:ap-southeast-1:000000000000:function:${functionName}`,
  memoryLimitInMB: '256',
  awsRequestId,
  logGroupName: `/aws/lambda/${functionName}`,
  logStreamName: 'local',
  callbackWaitsForEmptyEventLoop: true,
  deadline: Date.now() + 30_000,
});

describe('local Lambda runtime', () => {
  afterEach(() => vi.restoreAllMocks());

  it('keeps the log context of each of two overlapping invocations its own', async () => {
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    vi.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: never[]) => {
      if (!String(chunk).includes('"log probe"')) return write(chunk, ...rest);
      lines.push(String(chunk));
      return true;
    }) as typeof process.stdout.write);
    // The first starts, the second starts and logs, then the first logs: the last context set is the second's.
    const first = runHandler(
      PROBE,
      JSON.stringify({ tag: 'first', waitMs: 150 }),
      context('dondoc-First', 'req-first'),
    );
    await new Promise((done) => setTimeout(done, 20));
    const second = runHandler(
      PROBE,
      JSON.stringify({ tag: 'second', waitMs: 10 }),
      context('dondoc-Second', 'req-second'),
    );
    expect(await Promise.all([first, second])).toEqual(['first', 'second']);

    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged.map((line) => line.tag)).toEqual(['second', 'first']);
    for (const line of logged) {
      const name = line.tag === 'first' ? 'First' : 'Second';
      expect(line).toMatchObject({
        function_name: `dondoc-${name}`,
        function_request_id: `req-${line.tag as string}`,
      });
    }
  });

  it('leaves a child process that inherits the setting able to log (Powertools needs the store)', async () => {
    expect(process.env.AWS_LAMBDA_MAX_CONCURRENCY).toBeTruthy(); // set by the runtime, inherited below
    const { stderr } = await promisify(execFile)(process.execPath, [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      "const { logger } = await import('./functions/shared/logger.ts'); logger.warn('inherited');",
    ]);
    // Powertools writes warnings to stderr.
    const line = stderr.split('\n').find((text) => text.includes('"inherited"'));
    expect(JSON.parse(line ?? '{}')).toMatchObject({ level: 'WARN', message: 'inherited' });
  });
});
