/**
 * DynamoDB access for the monthly C12-TS process. Every write a retry may repeat is idempotent:
 * notices are created once per employer#period by a conditional put and move forward through their delivery
 * states by conditional updates; run records are overwritten with the same content.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { tableName } from '../shared/tables.ts';
import type { LedgerRow } from './ledger.ts';
import type { Statement } from './model.ts';

export type NoticeStatus = 'PENDING' | 'SENDING' | 'SENT' | 'POSTAL' | 'REJECTED';

export interface NoticeRecord {
  employerId: string;
  period: string;
  runId: string;
  status: NoticeStatus;
  channel: 'EMAIL' | 'POSTAL';
  email?: string;
  statement: Statement;
  createdAt: string;
  /** Send attempts begun; more than one means a crash interrupted a send and the mail may be doubled. */
  sendAttempts: number;
  /** The run that holds the SENDING claim, and since when. */
  claimedBy?: string;
  claimedAt?: string;
  /** The run that delivered it (SENT, POSTAL or REJECTED). */
  deliveredBy?: string;
  employerName?: string;
  messageId?: string;
  sentAt?: string;
  rejectReason?: string;
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

  async ledger(employerId: string): Promise<LedgerRow[]> {
    return queryAll<LedgerRow>(this.dynamo, {
      TableName: this.tables.ledger,
      KeyConditionExpression: 'employerId = :e',
      ExpressionAttributeValues: { ':e': employerId },
    });
  }

  /** Store the notice unless one exists for employer#period; returns the stored one either way. */
  async storeNoticeOnce(notice: NoticeRecord): Promise<{ created: boolean; notice: NoticeRecord }> {
    try {
      await this.dynamo.send(
        new PutCommand({
          TableName: this.tables.notices,
          Item: notice,
          ConditionExpression: 'attribute_not_exists(employerId)',
        }),
      );
      return { created: true, notice };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const existing = await this.dynamo.send(
      new GetCommand({
        TableName: this.tables.notices,
        Key: { employerId: notice.employerId, period: notice.period },
        ConsistentRead: true,
      }),
    );
    return { created: false, notice: existing.Item as NoticeRecord };
  }

  /**
   * Claim the notice for sending: PENDING -> SENDING, counting the attempt. A notice already SENDING is
   * re-claimed only by the same run (its earlier attempt died: a crash or a failed batch, whose workers have
   * all settled) or when the claim is older than `staleBefore` (a run that died and was not resumed).
   * Another live run's fresh claim is left alone: that run delivers it.
   * Returns the attempt number, or undefined when the notice is not ours to send.
   */
  async beginSend(
    employerId: string,
    period: string,
    claim: { runId: string; at: string; staleBefore: string },
  ): Promise<number | undefined> {
    try {
      const result = await this.dynamo.send(
        new UpdateCommand({
          TableName: this.tables.notices,
          Key: { employerId, period },
          UpdateExpression: 'SET #s = :sending, claimedBy = :run, claimedAt = :at ADD sendAttempts :one',
          ConditionExpression:
            '#s = :pending OR (#s = :sending AND (claimedBy = :run OR claimedAt < :stale))',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':sending': 'SENDING',
            ':pending': 'PENDING',
            ':run': claim.runId,
            ':at': claim.at,
            ':stale': claim.staleBefore,
            ':one': 1,
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(result.Attributes?.sendAttempts ?? 1);
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** Give a claim back (SENDING -> PENDING) when the send could not even be attempted. */
  async releaseSend(employerId: string, period: string, runId: string): Promise<void> {
    try {
      await this.dynamo.send(
        new UpdateCommand({
          TableName: this.tables.notices,
          Key: { employerId, period },
          UpdateExpression: 'SET #s = :pending ADD sendAttempts :minusOne',
          ConditionExpression: '#s = :sending AND claimedBy = :run',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':sending': 'SENDING',
            ':pending': 'PENDING',
            ':run': runId,
            ':minusOne': -1,
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /** Record the delivery outcome and which run delivered it (counts and lists are per run). */
  async finishNotice(
    employerId: string,
    period: string,
    outcome:
      { status: 'SENT'; messageId: string } | { status: 'REJECTED'; reason: string } | { status: 'POSTAL' },
    delivery: { runId: string; at: string },
  ): Promise<void> {
    const values: Record<string, unknown> = {
      ':status': outcome.status,
      ':at': delivery.at,
      ':run': delivery.runId,
    };
    let set = 'SET #s = :status, deliveredAt = :at, deliveredBy = :run';
    if (outcome.status === 'SENT') {
      set += ', messageId = :m';
      values[':m'] = outcome.messageId;
    } else if (outcome.status === 'REJECTED') {
      set += ', rejectReason = :r';
      values[':r'] = outcome.reason;
    }
    await this.dynamo.send(
      new UpdateCommand({
        TableName: this.tables.notices,
        Key: { employerId, period },
        UpdateExpression: set,
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: values,
      }),
    );
  }

  /**
   * Open a debt case for an employer in arrears, or refresh the amounts of its open case. The case id is
   * employer#period-opened, so a repeated run finds and updates the same case.
   */
  async openOrUpdateCase(
    statement: Statement,
    officerId: string | undefined,
    at: string,
  ): Promise<'opened' | 'updated'> {
    const open = await queryAll<{ caseId: string }>(this.dynamo, {
      TableName: this.tables.cases,
      KeyConditionExpression: 'employerId = :e',
      FilterExpression: '#s = :open',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: { ':e': statement.employerId, ':open': 'OPEN' },
      ConsistentRead: true,
    });
    const debt = {
      overduePrincipal: statement.overduePrincipal,
      overdueInterest: statement.overdueInterest,
      interestOwed: statement.total.carriedForward.interestOwed,
      owed: statement.total.carriedForward.owed,
      oldestOverdueDueDate: statement.oldestOverdueDueDate,
      lastStatementPeriod: statement.period,
      updatedAt: at,
    };
    const existing = open[0];
    if (existing) {
      await this.dynamo.send(
        new UpdateCommand({
          TableName: this.tables.cases,
          Key: { employerId: statement.employerId, caseId: existing.caseId },
          UpdateExpression: `SET ${Object.keys(debt)
            .map((key) => `#${key} = :${key}`)
            .join(', ')}`,
          ExpressionAttributeNames: Object.fromEntries(Object.keys(debt).map((key) => [`#${key}`, key])),
          ExpressionAttributeValues: Object.fromEntries(
            Object.entries(debt).map(([key, value]) => [`:${key}`, value]),
          ),
        }),
      );
      return 'updated';
    }
    try {
      await this.dynamo.send(
        new PutCommand({
          TableName: this.tables.cases,
          Item: {
            employerId: statement.employerId,
            caseId: `${statement.employerId}#${statement.period}`,
            status: 'OPEN',
            stage: 'NONE',
            officerId,
            openedAt: at,
            openedForPeriod: statement.period,
            ...debt,
          },
          ConditionExpression: 'attribute_not_exists(caseId)',
        }),
      );
      return 'opened';
    } catch (error) {
      // A case opened for this period and since closed stays closed: the next period's run reopens one.
      if (isConditionFailure(error)) return 'updated';
      throw error;
    }
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
