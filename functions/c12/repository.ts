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
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  paginateQuery,
  paginateScan,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { policyForNewCase } from '../escalation/policy.ts';
import { PolicyStore } from '../escalation/policy-store.ts';
import { lastDayOf, todayInVietnam } from '../shared/calendar.ts';
import { batchGet, batchPut } from '../shared/dynamo-batch.ts';
import { isConditionFailure, writeIf } from '../shared/conditional-write.ts';
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
  return { ...rest, statementZ: compressedStatement(statement) };
}

/** A notice is written twice (claimed, then delivered) with the same statement: deflated once. */
const compressed = new WeakMap<Statement, Buffer>();
function compressedStatement(statement: Statement): Buffer {
  let bytes = compressed.get(statement);
  if (!bytes) compressed.set(statement, (bytes = deflateRawSync(JSON.stringify(statement), { level: 1 })));
  return bytes;
}

export function fromStoredNotice(item: Record<string, unknown>): NoticeRecord {
  const { statementZ, ...rest } = item;
  if (!(statementZ instanceof Uint8Array)) {
    throw new Error(
      `notice ${String(item.employerId)}#${String(item.period)} has no stored statement (statementZ)`,
    );
  }
  const statement = JSON.parse(inflateRawSync(statementZ).toString('utf8')) as Statement;
  return { ...rest, statement } as NoticeRecord;
}

export class RunInProgressError extends Error {
  override name = 'RunInProgressError';
}

/** This run's lease was taken over (its execution had ended or been silent): its batches must stop. */
export class LeaseLostError extends Error {
  override name = 'LeaseLostError';
}

export interface PeriodLease {
  holder: string;
  executionArn: string;
  acquiredAt: string;
  /** Last sign of life of the holder's batches (each batch renews it). */
  heartbeatAt: string;
  /**
   * CLEAN: the run finished, nothing of it still runs. AFTER_FAILURE: the run gave up, but Lambda
   * invocations of its batches may still be running (Step Functions cannot stop them) for up to their
   * timeout.
   */
  released?: 'CLEAN' | 'AFTER_FAILURE';
}

/**
 * How long after its last heartbeat a run that ended may still have a batch running: Lambda's longest
 * timeout (15 minutes) and a minute's margin. Its lease is taken over only after this.
 */
export const LEASE_GRACE_MS = 16 * 60 * 1000;

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

/**
 * `#field = :field` clauses for an UpdateExpression's SET, naming each field and value in `names` and
 * `values`; 'if absent' sets a field only where the item has none.
 */
function setClauses(
  fields: Record<string, unknown>,
  names: Record<string, string>,
  values: Record<string, unknown>,
  when?: 'if absent',
): string[] {
  return Object.entries(fields).map(([field, value]) => {
    names[`#${field}`] = field;
    values[`:${field}`] = value;
    return when ? `#${field} = if_not_exists(#${field}, :${field})` : `#${field} = :${field}`;
  });
}

async function queryAll<T>(dynamo: DynamoDBDocumentClient, input: QueryCommand['input']): Promise<T[]> {
  const items: T[] = [];
  for await (const page of paginateQuery({ client: dynamo }, input))
    items.push(...((page.Items ?? []) as T[]));
  return items;
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

  private readonly policies: PolicyStore;

  constructor(private readonly dynamo: DynamoDBDocumentClient) {
    this.policies = new PolicyStore(dynamo);
  }

  async listPartitions(): Promise<PartitionRecord[]> {
    const partitions: PartitionRecord[] = [];
    for await (const page of paginateScan({ client: this.dynamo }, { TableName: this.tables.partitions }))
      partitions.push(...((page.Items ?? []) as PartitionRecord[]));
    return partitions.sort((a, b) => a.partition.localeCompare(b.partition));
  }

  /**
   * Employers the run cannot reach: a partition missing, or one the Partitions table does not list. The run
   * pages employers partition by partition (the byPartition index), so these would get no notice and no
   * word of it; the run lists them instead. One scan of the Employers table's keys, once a run.
   */
  async employersOutsidePartitions(
    listed: ReadonlySet<string>,
  ): Promise<{ employerId: string; name?: string; partition?: unknown }[]> {
    const outside: { employerId: string; name?: string; partition?: unknown }[] = [];
    const pages = paginateScan(
      { client: this.dynamo },
      {
        TableName: this.tables.employers,
        ProjectionExpression: 'employerId, #p, #n',
        ExpressionAttributeNames: { '#p': 'partition', '#n': 'name' },
      },
    );
    for await (const page of pages) {
      for (const item of page.Items ?? []) {
        const partition: unknown = item.partition;
        if (typeof partition === 'string' && listed.has(partition)) continue;
        outside.push({
          employerId: String(item.employerId),
          ...(typeof item.name === 'string' ? { name: item.name } : {}),
          ...(partition !== undefined ? { partition } : {}),
        });
      }
    }
    return outside.sort((a, b) => (a.employerId < b.employerId ? -1 : 1));
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
   * The ledgers of a page of one partition's employers (consecutive ids), by employer: one key range, a
   * few 1 MB pages instead of a query per employer.
   */
  async ledgersOfPage(partition: string, employerIds: readonly string[]): Promise<Map<string, LedgerRow[]>> {
    // The range runs from the least "<id>#" to the greatest "<id>$" ('$' is the character after '#': below
    // it sorts every "<id>#<entry key>"). Both over every id, in DynamoDB's byte order: the first and last
    // ids of the page do not bound them when an id holds a character sorting below '#' (a stray space).
    const bytes = (text: string) => Buffer.from(text, 'utf8');
    const ordered = (suffix: string) =>
      employerIds.map((id) => `${id}${suffix}`).sort((a, b) => Buffer.compare(bytes(a), bytes(b)));
    const rows = await queryAll<LedgerRow & { employerEntry: string }>(this.dynamo, {
      TableName: this.tables.ledger,
      KeyConditionExpression: '#p = :p AND employerEntry BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#p': 'partition' },
      ExpressionAttributeValues: {
        ':p': partition,
        ':from': ordered('#')[0],
        ':to': ordered('$').at(-1),
      },
      ConsistentRead: true,
    });
    const byEmployer = new Map<string, LedgerRow[]>();
    for (const row of rows) {
      // The key says whose row it is (employerEntry = employerId#entryKey; ids hold no '#').
      const employerId = row.employerEntry.slice(0, row.employerEntry.indexOf('#'));
      const list = byEmployer.get(employerId);
      if (list) list.push(row);
      else byEmployer.set(employerId, [row]);
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
   * Take the period's lease for this run. A lease released CLEAN, or one's own (a resumed execution), is
   * taken at once. Another run's lease is taken over only when that run has ended (released after a
   * failure, or `isRunning` says its execution is no longer running) and its batches have been silent for
   * LEASE_GRACE_MS; otherwise RunInProgressError, saying when to try again.
   */
  async acquireLease(
    leaseId: string,
    lease: Pick<PeriodLease, 'holder' | 'executionArn'>,
    at: string,
    isRunning: (executionArn: string) => Promise<boolean>,
  ): Promise<void> {
    const key = { runId: leaseId, itemKey: 'LEASE' };
    const item = { ...key, ...lease, acquiredAt: at, heartbeatAt: at };
    try {
      await this.dynamo.send(
        new PutCommand({
          TableName: this.tables.runs,
          Item: item,
          ConditionExpression: 'attribute_not_exists(runId) OR holder = :me OR released = :clean',
          ExpressionAttributeValues: { ':me': lease.holder, ':clean': 'CLEAN' },
        }),
      );
      return;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const { Item } = await this.dynamo.send(
      new GetCommand({ TableName: this.tables.runs, Key: key, ConsistentRead: true }),
    );
    const current = Item as (PeriodLease & typeof key) | undefined;
    if (!current) throw new RunInProgressError(`${leaseId} changed hands meanwhile: start again`);
    const ended = current.released === 'AFTER_FAILURE' || !(await isRunning(current.executionArn));
    if (!ended) {
      throw new RunInProgressError(
        `${leaseId} is held by ${current.holder} (${current.executionArn}), still running`,
      );
    }
    const free = Date.parse(current.heartbeatAt) + LEASE_GRACE_MS;
    if (Date.parse(at) < free) {
      throw new RunInProgressError(
        `${leaseId}: the batches of ${current.holder}, which ended, may still be running; ` +
          `start again after ${new Date(free).toISOString()}`,
      );
    }
    try {
      await this.dynamo.send(
        new PutCommand({
          TableName: this.tables.runs,
          Item: { ...item, tookOverFrom: current.holder },
          // Nobody took it, and none of its batches showed a sign of life, in between.
          ConditionExpression: 'holder = :previous AND heartbeatAt = :heartbeat',
          ExpressionAttributeValues: { ':previous': current.holder, ':heartbeat': current.heartbeatAt },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error))
        throw new RunInProgressError(`${leaseId} changed hands meanwhile: start again`);
      throw error;
    }
  }

  /** A batch's sign of life, and its check that the lease is still this run's (LeaseLostError if not). */
  async renewLease(leaseId: string, holder: string, at: string): Promise<void> {
    try {
      await this.dynamo.send(
        new UpdateCommand({
          TableName: this.tables.runs,
          Key: { runId: leaseId, itemKey: 'LEASE' },
          UpdateExpression: 'SET heartbeatAt = :at',
          ConditionExpression: 'holder = :me',
          ExpressionAttributeValues: { ':at': at, ':me': holder },
        }),
      );
    } catch (error) {
      if (isConditionFailure(error)) throw new LeaseLostError(`${leaseId} is no longer held by ${holder}`);
      throw error;
    }
  }

  /** Give the lease back at the end of the run (a no-op when another run has taken it over). */
  async releaseLease(
    leaseId: string,
    holder: string,
    at: string,
    how: 'CLEAN' | 'AFTER_FAILURE',
  ): Promise<void> {
    try {
      await this.dynamo.send(
        new UpdateCommand({
          TableName: this.tables.runs,
          Key: { runId: leaseId, itemKey: 'LEASE' },
          UpdateExpression: 'SET released = :how, releasedAt = :at',
          ConditionExpression: 'holder = :me',
          ExpressionAttributeValues: { ':how': how, ':at': at, ':me': holder },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }

  /**
   * The CURRENT case slot of each of these employers (strongly consistent), by employer: what a batch reads
   * once for its employers in arrears, so that each case is then one short write (see openOrUpdateCase).
   */
  async currentCases(employerIds: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
    const items = await batchGet(
      this.dynamo,
      this.tables.cases,
      employerIds.map((employerId) => ({ employerId, slot: 'CURRENT' })),
      { consistent: true },
    );
    return new Map(items.map((item) => [String(item.employerId), item]));
  }

  /**
   * Open a debt case for an employer in arrears, or refresh the amounts of its case in progress. The
   * employer's latest case, open or closed, is the item in its CURRENT slot.
   * - `known`: the slot as the caller read it (currentCases; null when empty). Then the usual paths are one
   *   short write each: an empty slot gets the new case (conditioned on still being empty), an unclosed case
   *   from a statement not newer than this one gets its amounts (conditioned on that still holding). Short,
   *   because DynamoDB, and the emulator even more, parse and apply every clause of an expression: the
   *   upsert below costs twice as much as a refresh. A condition that fails (the slot changed since it was
   *   read) takes the general path.
   * - The general path, without `known`: one conditional upsert that creates the case when the slot is
   *   empty and otherwise refreshes the amounts of an unclosed case from a statement not older than the one
   *   it holds; what a case is when it opens (its id employer#period, stage, officer, opening date) is set
   *   only if absent.
   * When the slot holds a closed case: a case opened for this period and closed since stays closed (a
   * retried batch reopens nothing); an older, closed episode is archived to CLOSED#<caseId> and a new case
   * opens. Returns what happened.
   */
  async openOrUpdateCase(
    statement: Statement,
    employer: { officerId?: string | undefined; name?: string | undefined },
    at: string,
    known?: { current: Record<string, unknown> | null },
  ): Promise<'opened' | 'updated' | 'unchanged'> {
    const caseId = `${statement.employerId}#${statement.period}`;
    const key = { employerId: statement.employerId, slot: 'CURRENT' };
    const debt: Record<string, unknown> = {
      overduePrincipal: statement.overduePrincipal,
      overdueInterest: statement.overdueInterest,
      interestOwed: statement.total.carriedForward.interestOwed,
      owed: statement.total.carriedForward.owed,
      oldestOverdueDueDate: statement.oldestOverdueDueDate,
      lastStatementPeriod: statement.period,
      updatedAt: at,
      // For the public late-payer list and the case views, as the employer record names it now.
      ...(employer.name ? { employerName: employer.name } : {}),
    };
    const opening: Record<string, unknown> = {
      caseId,
      status: 'OPEN',
      stage: 'NONE',
      // The escalation policy the case keeps for its whole life: the one in force when it opened.
      // Its day in Vietnam: the 06:00 run of the 5th is the 4th in UTC.
      policyVersion: policyForNewCase(todayInVietnam(new Date(at)), await this.policies.versions()).version,
      openedAt: at,
      openedForPeriod: statement.period,
      // Filled by the escalation, stage by stage (a nested path can only be set inside an existing map).
      stageReachedAt: {},
      documents: {},
      ...(employer.officerId ? { officerId: employer.officerId } : {}),
    };
    if (known) {
      const written = await this.writeKnownSlot(key, known.current, debt, opening, employer.officerId);
      if (written) return written;
    }
    const names: Record<string, string> = { '#status': 'status', '#last': 'lastStatementPeriod' };
    const values: Record<string, unknown> = { ':closed': 'CLOSED', ':period': statement.period };
    const sets = [...setClauses(debt, names, values), ...setClauses(opening, names, values, 'if absent')];
    try {
      const result = await this.dynamo.send(
        new UpdateCommand({
          TableName: this.tables.cases,
          Key: key,
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_not_exists(slot) OR (#status <> :closed AND #last <= :period)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: 'UPDATED_OLD',
        }),
      );
      return result.Attributes?.caseId === undefined ? 'opened' : 'updated';
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const { Item: current } = await this.dynamo.send(
      new GetCommand({ TableName: this.tables.cases, Key: key, ConsistentRead: true }),
    );
    if (
      !current ||
      current.status !== 'CLOSED' ||
      String(current.openedForPeriod) >= statement.period ||
      // Closed after this statement's month ended (its day in Vietnam; closedAt is a UTC instant): what it
      // shows in arrears was settled since.
      (current.closedAt ? todayInVietnam(new Date(String(current.closedAt))) : '') >
        lastDayOf(statement.period)
    ) {
      return 'unchanged';
    }
    // A new episode: archive the closed case, then open the new one in its place (unless someone did).
    await this.dynamo.send(
      new PutCommand({
        TableName: this.tables.cases,
        Item: { ...current, slot: `CLOSED#${String(current.caseId)}` },
      }),
    );
    try {
      await this.dynamo.send(
        new PutCommand({
          TableName: this.tables.cases,
          Item: { ...key, ...opening, ...debt },
          ConditionExpression: 'caseId = :previous AND #status = :closed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':previous': current.caseId, ':closed': 'CLOSED' },
        }),
      );
      return 'opened';
    } catch (error) {
      if (isConditionFailure(error)) return 'unchanged';
      throw error;
    }
  }

  /**
   * openOrUpdateCase's short writes for a slot read beforehand; undefined when that does not apply (a closed
   * case, a newer statement on record) or the slot changed since: the caller then takes the general path.
   */
  private async writeKnownSlot(
    key: { employerId: string; slot: string },
    current: Record<string, unknown> | null,
    debt: Record<string, unknown>,
    opening: Record<string, unknown>,
    officerId: string | undefined,
  ): Promise<'opened' | 'updated' | undefined> {
    if (current === null) {
      const created = await writeIf(
        this.dynamo,
        new PutCommand({
          TableName: this.tables.cases,
          Item: { ...key, ...opening, ...debt },
          ConditionExpression: 'attribute_not_exists(slot)',
        }),
      );
      return created ? 'opened' : undefined;
    }
    if (current.status === 'CLOSED' || String(current.lastStatementPeriod) > String(debt.lastStatementPeriod))
      return undefined;
    // A case missing what a case gets when it opens (one written by an older version) takes the general
    // path, which fills that in.
    if (Object.keys(opening).some((field) => field !== 'officerId' && current[field] === undefined))
      return undefined;
    const names: Record<string, string> = { '#status': 'status', '#last': 'lastStatementPeriod' };
    const values: Record<string, unknown> = { ':closed': 'CLOSED' };
    const sets = setClauses(debt, names, values);
    // The officer on record when the case opened stays; one is recorded only for a case opened without.
    if (officerId && current.officerId === undefined)
      sets.push(...setClauses({ officerId }, names, values, 'if absent'));
    const refreshed = await writeIf(
      this.dynamo,
      new UpdateCommand({
        TableName: this.tables.cases,
        Key: key,
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression:
          'attribute_exists(slot) AND #status <> :closed AND #last <= :lastStatementPeriod',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
    return refreshed ? 'updated' : undefined;
  }

  /** One record of a run (strongly consistent), or undefined. */
  async runItem(runId: string, itemKey: string): Promise<RunItem | undefined> {
    const { Item } = await this.dynamo.send(
      new GetCommand({ TableName: this.tables.runs, Key: { runId, itemKey }, ConsistentRead: true }),
    );
    return Item as RunItem | undefined;
  }

  async putRunItems(items: readonly RunItem[]): Promise<void> {
    await batchPut(this.dynamo, this.tables.runs, items);
  }

  async putRunItem(item: RunItem): Promise<void> {
    await this.dynamo.send(new PutCommand({ TableName: this.tables.runs, Item: item }));
  }

  /** Create a run item unless it exists (a resumed execution keeps what its first attempt recorded). */
  async createRunItemOnce(item: RunItem): Promise<boolean> {
    return writeIf(
      this.dynamo,
      new PutCommand({
        TableName: this.tables.runs,
        Item: item,
        ConditionExpression: 'attribute_not_exists(runId)',
      }),
    );
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
