/** Shared by the embedded-stack suites: temporary data folders and polling the real services. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { expect } from 'vitest';
import { stateMachineArn } from '../../../infra/local/sfn-engine.ts';

export function tempDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'dondoc-stack-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function until<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The task token the toy request-approval handler stored for an execution (as an approval record would). */
export function storedToken(dynamo: DynamoDBClient, executionArn: string): Promise<string> {
  return until(
    async () => {
      const { Item } = await dynamo.send(
        new GetItemCommand({
          TableName: 'Runs',
          Key: { runId: { S: executionArn }, itemKey: { S: 'APPROVAL' } },
        }),
      );
      return Item?.token?.S;
    },
    20_000,
    `the task token of ${executionArn}`,
  );
}

/** Starts a workflow on the embedded stack and waits for it to end, however it ends: the execution. */
export async function runToStop(workflow: string, input: unknown, timeoutMs = 60_000) {
  const sfn = new SFNClient({});
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: stateMachineArn(workflow), input: JSON.stringify(input) }),
  );
  return until(async () => {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return described.status === 'RUNNING' ? undefined : described;
  }, timeoutMs);
}

/** Starts a workflow on the embedded stack, waits for it to end, expects it to succeed; its output. */
export async function runToEnd<T>(workflow: string, input: unknown, timeoutMs = 60_000): Promise<T> {
  const execution = await runToStop(workflow, input, timeoutMs);
  expect(execution.status, execution.cause).toBe('SUCCEEDED');
  return JSON.parse(execution.output!) as T;
}

/**
 * The admin API of a running stack: `path` under /admin/api, the admin token as bearer unless `token` says
 * otherwise (null: none).
 */
export function adminApi(stack: { webUrl: string; adminToken: string }) {
  return (path: string, init: RequestInit & { token?: string | null } = {}) => {
    const { token, ...rest } = init;
    return fetch(`${stack.webUrl}/admin/api${path}`, {
      ...rest,
      headers: {
        'content-type': 'application/json',
        ...(token === null ? {} : { authorization: `Bearer ${token ?? stack.adminToken}` }),
      },
    });
  };
}

/**
 * Everything this process writes to stdout and stderr from now until `restore()` (the handlers run in it
 * on the embedded stack, so their log lines are here): for checks that a secret never reaches a log.
 */
export function captureOutput(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const original = {
    out: process.stdout.write.bind(process.stdout),
    err: process.stderr.write.bind(process.stderr),
  };
  const tee =
    (write: typeof process.stdout.write) =>
    (chunk: unknown, ...rest: never[]) => {
      lines.push(String(chunk));
      return write(chunk as string, ...rest);
    };
  process.stdout.write = tee(original.out) as typeof process.stdout.write;
  process.stderr.write = tee(original.err) as typeof process.stderr.write;
  return {
    lines,
    restore() {
      process.stdout.write = original.out;
      process.stderr.write = original.err;
    },
  };
}
