/**
 * BatchWriteItem and BatchGetItem with what they leave to the caller: requests split to the API's limits
 * (25 writes, 100 keys) and the unprocessed remainder retried with backoff until done. A monthly batch
 * reads and writes a page of employers in a handful of requests instead of a request per employer: the
 * per-request cost (signing, middleware, a round trip) is what dominates, not the items.
 */
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { TransientError } from './errors.ts';

export const MAX_BATCH_WRITE = 25;
export const MAX_BATCH_GET = 100;

type Item = Record<string, unknown>;

export interface BatchRetryOptions {
  /** Attempts per request while DynamoDB returns an unprocessed remainder. */
  maxAttempts?: number;
  /** Backoff before retry `attempt` (1-based), in ms. */
  backoffMs?: (attempt: number) => number;
}

const defaultBackoff = (attempt: number): number =>
  Math.min(2_000, 50 * 2 ** (attempt - 1)) * (0.5 + Math.random() / 2);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface WriteReport {
  items: number;
  requests: number;
  retries: number;
}

/** Puts `items` into `table`, 25 a request, sequentially; returns what it took. */
export async function batchPut(
  dynamo: DynamoDBDocumentClient,
  table: string,
  items: readonly Item[],
  options: BatchRetryOptions = {},
): Promise<WriteReport> {
  const report = { items: 0, requests: 0, retries: 0 };
  for (let start = 0; start < items.length; start += MAX_BATCH_WRITE) {
    const chunk = await writeOneRequest(dynamo, table, items.slice(start, start + MAX_BATCH_WRITE), options);
    report.items += chunk.items;
    report.requests += chunk.requests;
    report.retries += chunk.retries;
  }
  return report;
}

/** One BatchWriteItem of at most 25 puts, retried until every item is written. */
export async function writeOneRequest(
  dynamo: DynamoDBDocumentClient,
  table: string,
  items: readonly Item[],
  { maxAttempts = 12, backoffMs = defaultBackoff }: BatchRetryOptions = {},
): Promise<WriteReport> {
  const report = { items: 0, requests: 0, retries: 0 };
  let pending = items.map((Item) => ({ PutRequest: { Item } }));
  for (let attempt = 1; pending.length > 0; attempt++) {
    report.requests++;
    const result = await dynamo.send(new BatchWriteCommand({ RequestItems: { [table]: pending } }));
    const unprocessed = (result.UnprocessedItems?.[table] ?? []) as typeof pending;
    report.items += pending.length - unprocessed.length;
    if (unprocessed.length === 0) break;
    if (attempt >= maxAttempts) {
      throw new TransientError(
        `${table}: ${unprocessed.length} items still unprocessed after ${attempt} attempts`,
      );
    }
    report.retries++;
    pending = unprocessed;
    await sleep(backoffMs(attempt));
  }
  return report;
}

/** Gets the items with these keys (missing ones are simply absent), 100 keys a request. */
export async function batchGet(
  dynamo: DynamoDBDocumentClient,
  table: string,
  keys: readonly Item[],
  {
    consistent = false,
    maxAttempts = 12,
    backoffMs = defaultBackoff,
  }: BatchRetryOptions & { consistent?: boolean } = {},
): Promise<Item[]> {
  const found: Item[] = [];
  for (let start = 0; start < keys.length; start += MAX_BATCH_GET) {
    let pending = keys.slice(start, start + MAX_BATCH_GET);
    for (let attempt = 1; pending.length > 0; attempt++) {
      const result = await dynamo.send(
        new BatchGetCommand({ RequestItems: { [table]: { Keys: pending, ConsistentRead: consistent } } }),
      );
      found.push(...((result.Responses?.[table] ?? []) as Item[]));
      pending = (result.UnprocessedKeys?.[table]?.Keys ?? []) as Item[];
      if (pending.length === 0) break;
      if (attempt >= maxAttempts) {
        throw new TransientError(
          `${table}: ${pending.length} keys still unprocessed after ${attempt} attempts`,
        );
      }
      await sleep(backoffMs(attempt));
    }
  }
  return found;
}
