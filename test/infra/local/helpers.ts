/** Shared by the embedded-stack suites: temporary data folders and polling the real services. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';

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
