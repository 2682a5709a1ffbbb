/**
 * DynamoDB access for the monthly C12-TS process. Every write a retry may repeat is idempotent:
 * - one run at a time per period: the run holds the period's lease (a conditional write), taken over only
 *   from an execution that is no longer running; within a run the partitions, and the batches of a
 *   partition, are disjoint, so no two workers ever write the same notice;
 * - notices are keyed employer#period and written whole, the statement of the first write kept for good;
 *   with the lease they go out in batch writes (25 a request), read back in batch gets (100 a request);
 * - run records are overwritten with the same content.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { batchGet, batchPut } from '../shared/dynamo-batch.ts';
import { tableName } from '../shared/tables.ts';
import type { LedgerRow } from './ledger.ts';
import type { Statement } from './model.ts';

export type NoticeStatus = 'PENDING' | 'SENDING' | 'SENT' | 'POSTAL' | 'REJECTED';

export interface NoticeRecord {
  employerId: string;
  period: string;
  /** The run that created the notice. */
  runId: string;
  status: NoticeStatus;
  channel: 'EMAIL' | 'POSTAL';
  email?: string | undefined;
  statement: Statement;
  createdAt: string;
  /** Send attempts begun; more than one means a crash interrupted a send and the mail may be doubled. */
  sendAttempts: number;
  /** The run that last began sending it, and when. */
  claimedBy?: string | undefined;
  claimedAt?: string | undefined;
  /** The run that delivered it (SENT, POSTAL or REJECTED), and when. */
  deliveredBy?: string | undefined;
  deliveredAt?: string | undefined;
  employerName?: string | undefined;
  messageId?: string | undefined;
  rejectReason?: string | undefined;
}

/**
 * Stored form: the statement is one binary attribute, its JSON deflated. It is written once (twice with
 * the send claim) and read whole; as a map of ~150 nested values it cost more to store, to marshal and to
 * index than the rest of the notice's work, and deflated it takes a third of the write capacity.
 */
export function toStoredNotice(notice: NoticeRecord): Record<string, unknown> {
  const { statement, ...rest } = notice;
  return { ...rest, statementZ: deflateRawSync(JSON.stringify(statement), { level: 1 }) };
}

export function fromStoredNotice(item: Record<string, unknown>): NoticeRecord {
  const { statementZ, ...rest } = item;
  const statement = JSON.parse(inflateRawSync(statementZ as Uint8Array).toString('utf8')) as Statement;
  return { ...rest, statement } as NoticeRecord;
}

export class RunInProgressError extends Error {
  override name = 'RunInProgressError';
}

export interface PeriodLease {
  holder: string;
  executionArn: string;
  acquiredAt: string;
  released?: boolean;
}

export interface PartitionRecord {
  partition: string;
  name?: string;
  employerCount?: number;
}

export interface BatchCounts {
  employers: number;
  sent: number;
  postal: number;
  rejected: number;
  alreadyDelivered: number;
  inArrears: number;
  quarantined: number;
  possibleDuplicates: number;
}

export interface RunItem {
  runId: string;
  itemKey: string;
  [field: string]: unknown;
}

export function emptyCounts(): BatchCounts {
  return {
    employers: 0,
    sent: 0,
    postal: 0,
    rejected: 0,
    alreadyDelivered: 0,
    inArrears: 0,
    quarantined: 0,
    possibleDuplicates: 0,
  };
}

async function queryAll<T>(dynamo: DynamoDBDocumentClient, input: QueryCommand['input']): Promise<T[]> {
  const items: T[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await dynamo.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...((page.Items ?? []) as T[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as Error)?.name === 'ConditionalCheckFailedException'
  );
}

export class C12Repository {
  private readonly tables = {
    employers: tableName('Employers'),
    partitions: tableName('Partitions'),
    ledger: tableName('Ledger'),
    notices: tableName('Notices'),
    cases: tableName('Cases'),
    runs: tableName('Runs'),
  };

  constructor(private readonly dynamo: DynamoDBDocumentClient) {}

  async listPartitions(): Promise<PartitionRecord[]> {
    const partitions: PartitionRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.dynamo.send(
        new ScanCommand({ TableName: this.tables.partitions, ExclusiveStartKey: start }),
      );
      partitions.push(...((page.Items ?? []) as PartitionRecord[]));
      start = page.LastEvaluatedKey;
    } while (start);
    return partitions.sort((a, b) => a.partition.localeCompare(b.partition));
  }

  /** One page of a partition's employers in key order; `cursor` is the last employerId of the previous page. */
  async pageEmployers(
    partition: string,
    cursor: string | null,
    limit: number,
  ): Promise<{ items: Record<string, unknown>[]; next: string | null }> {
    const page = await this.dynamo.send(
      new QueryCommand({
        TableName: this.tables.employers,
        IndexName: 'byPartition',
        KeyConditionExpression: cursor ? '#p = :p AND employerId > :cursor' : '#p = :p',
        ExpressionAttributeNames: { '#p': 'partition' },
        ExpressionAttributeValues: cursor ? { ':p': partition, ':cursor': cursor } : { ':p': partition },
        Limit: limit,
      }),
    );
    const items = (page.Items ?? []) as Record<string, unknown>[];
    const last = items.at(-1)?.employerId;
    return { items, next: page.LastEvaluatedKey && typeof last === 'string' ? last : null };
  }

  /** One employer's whole ledger, in entry key order, strongly consistent. */
  async ledger(partition: string, employerId: string): Promise<LedgerRow[]> {
    return queryAll<LedgerRow>(this.dynamo, {
      TableName: this.tables.ledger,
      KeyConditionExpression: '#p = :p AND begins_with(employerEntry, :prefix)',
      ExpressionAttributeNames: { '#p': 'partition' },
      ExpressionAttributeValues: { ':p': partition, ':prefix': `${employerId}#` },
      ConsistentRead: true,
    });
  }

  /**
   * The ledgers of a page of one partition's employers (ids first..last, a contiguous range in key
   * order), by employer: a few 1 MB pages instead of a query per employer.
   */
  async ledgersOfPage(
    partition: string,
    firstEmployerId: string,
    lastEmployerId: string,
  ): Promise<Map<string, LedgerRow[]>> {
    const rows = await queryAll<LedgerRow & { employerId: string }>(this.dynamo, {
      TableName: this.tables.ledger,
      KeyConditionExpression: '#p = :p AND employerEntry BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#p': 'partition' },
      ExpressionAttributeValues: {
        ':p': partition,
        ':from': `${firstEmployerId}#`,
        // '$' is the character after '#': below it sort every "<last>#<entry key>", whatever the entry key.
        ':to': `${lastEmployerId}$`,
      },
      ConsistentRead: true,
    });
    const byEmployer = new Map<string, LedgerRow[]>();
    for (const row of rows) {
      const list = byEmployer.get(row.employerId);
      if (list) list.push(row);
      else byEmployer.set(row.employerId, [row]);
    }
    return byEmployer;
  }

  /** The stored notices of these employers for the period, by employer (strongly consistent). */
  async notices(employerIds: readonly string[], period: string): Promise<Map<string, NoticeRecord>> {
    const items = await batchGet(
      this.dynamo,
      this.tables.notices,
      employerIds.map((employerId) => ({ employerId, period })),
      { consistent: true },
    );
    return new Map(items.map((item) => [String(item.employerId), fromStoredNotice(item)]));
  }

  async notice(employerId: string, period: string): Promise<NoticeRecord | undefined> {
    const { Item } = await this.dynamo.send(
      new GetCommand({ TableName: this.tables.notices, Key: { employerId, period }, ConsistentRead: true }),
    );
    return Item ? fromStoredNotice(Item) : undefined;
  }

  /** Writes these notices whole (the run holds the period's lease: nobody else writes them). */
  async putNotices(notices: readonly NoticeRecord[]): Promise<void> {
    await batchPut(this.dynamo, this.tables.notices, notices.map(toStoredNotice));
  }

  /**
   * Take the period's lease for this run. Held by another run: taken over only when `isRunning` says that
   * run's execution has ended (failed, aborted, timed out before it could release it); otherwise
   * RunInProgressError. Re-taking one's own lease (a resumed execution) succeeds.
   */
  async acquireLease(
    leaseId: string,
    lease: Omit<PeriodLease, 'released'>,
    isRunning: (executionArn: string) => Promise<boolean>,
  ): Promise<void> {
    const key = { runId: leaseId, itemKey: 'LEASE' };
    try {
      await this.dynamo.send(
        new PutCommand({
          TableName: this.tables.runs,
          Item: { ...key, ...lease },
          ConditionExpression: 'attribute_not_exists(runId) OR holder = :me OR released = :true',
          ExpressionAttributeValues: { ':me': lease.holder, ':true': true },
        }),
      );
      return;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const { Item } = await this.dynamo.send(
      new GetCommand({ TableName: this.tables.runs, Key: key, ConsistentRead: true }),
    );
    const current = Item as PeriodLease | undefined;
    if (current && !current.released && (await isRunning(current.executionArn))) {
      throw new RunInProgressError(
        `${leaseId} is held by ${current.holder} (${current.executionArn}), still running`,
      );
    }
    try {
      await this.dynamo.send(
        new PutCommand({
          TableName: this.tables.runs,
          Item: { ...key, ...lease, tookOverFrom: current?.holder },
          // Nobody took it in between.
          ConditionExpression: current ? 'holder = :previous' : 'attribute_not_exists(runId)',
          ExpressionAttributeValues: current ? { ':previous': current.holder } : undefined,
        }),
      );
    } catch (error) {
      if (isConditionFailure(error))
        throw new RunInProgressError(`${leaseId} was taken by another run meanwhile`);
      throw error;
    }
  }

  /** Give the lease back at the end of the run (a no-op when another run has taken it over). */
  async releaseLease(leaseId: string, holder: string, at: string): Promise<void> {
    try {
      await this.dynamo.send(
        new UpdateCommand({
          TableName: this.tables.runs,
          Key: { runId: leaseId, itemKey: 'LEASE' },
          UpdateExpression: 'SET released = :true, releasedAt = :at',
          ConditionExpression: 'holder = :me',
          ExpressionAttributeValues: { ':true': true, ':at': at, ':me': holder },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /**
   * Open a debt case for an employer in arrears, or refresh the amounts of the one in progress: one upsert
   * of the employer's OPEN slot. What a case is when it opens (its id employer#period, its stage, officer,
   * opening date) is set only if absent, so a repeated run, or a later month, changes only the amounts.
   */
  async openOrUpdateCase(
    statement: Statement,
    employer: { officerId?: string | undefined },
    at: string,
  ): Promise<'opened' | 'updated'> {
    const debt: Record<string, unknown> = {
      overduePrincipal: statement.overduePrincipal,
      overdueInterest: statement.overdueInterest,
      interestOwed: statement.total.carriedForward.interestOwed,
      owed: statement.total.carriedForward.owed,
      oldestOverdueDueDate: statement.oldestOverdueDueDate,
      lastStatementPeriod: statement.period,
      updatedAt: at,
    };
    const onOpening: Record<string, unknown> = {
      caseId: `${statement.employerId}#${statement.period}`,
      status: 'OPEN',
      stage: 'NONE',
      openedAt: at,
      openedForPeriod: statement.period,
      ...(employer.officerId ? { officerId: employer.officerId } : {}),
    };
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const sets: string[] = [];
    for (const [key, value] of Object.entries(debt)) {
      names[`#${key}`] = key;
      values[`:${key}`] = value;
      sets.push(`#${key} = :${key}`);
    }
    for (const [key, value] of Object.entries(onOpening)) {
      names[`#${key}`] = key;
      values[`:${key}`] = value;
      sets.push(`#${key} = if_not_exists(#${key}, :${key})`);
    }
    const result = await this.dynamo.send(
      new UpdateCommand({
        TableName: this.tables.cases,
        Key: { employerId: statement.employerId, slot: 'OPEN' },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    return result.Attributes?.caseId === undefined ? 'opened' : 'updated';
  }

  async putRunItems(items: readonly RunItem[]): Promise<void> {
    await batchPut(this.dynamo, this.tables.runs, items);
  }

  async putRunItem(item: RunItem): Promise<void> {
    await this.dynamo.send(new PutCommand({ TableName: this.tables.runs, Item: item }));
  }

  /** Create a run item unless it exists (a resumed execution keeps what its first attempt recorded). */
  async createRunItemOnce(item: RunItem): Promise<boolean> {
    try {
      await this.dynamo.send(
        new PutCommand({
          TableName: this.tables.runs,
          Item: item,
          ConditionExpression: 'attribute_not_exists(runId)',
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }

  async runItems(runId: string): Promise<RunItem[]> {
    return queryAll<RunItem>(this.dynamo, {
      TableName: this.tables.runs,
      KeyConditionExpression: 'runId = :r',
      ExpressionAttributeValues: { ':r': runId },
      ConsistentRead: true,
    });
  }
}
