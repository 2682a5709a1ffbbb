/**
 * DynamoDB access for debt cases as the escalation sees them: the employer's CURRENT case (opened by the
 * monthly run, see c12/repository.ts), its pauses, and the audit trail of every action on it. Every state
 * change is a conditional write on the state it starts from, so two actions on one case cannot both apply.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { todayInVietnam } from '../shared/calendar.ts';
import { tableName } from '../shared/tables.ts';
import type { CaseStatus, Pause, PauseReason } from './ladder.ts';
import type { Stage } from './policy.ts';

export interface EscalationCase {
  employerId: string;
  caseId: string;
  status: CaseStatus;
  stage: Stage | 'NONE';
  policyVersion: string;
  officerId?: string;
  openedAt: string;
  openedForPeriod: string;
  overduePrincipal: number;
  overdueInterest: number;
  owed: number;
  interestOwed: number;
  oldestOverdueDueDate: string | null;
  lastStatementPeriod: string;
  updatedAt: string;
  pauses?: (Pause & { note?: string; by?: string })[];
  closedAt?: string;
}

export type Channel = 'SYSTEM' | 'EMAIL_LINK' | 'CLI' | 'WEB';

/** One line of a case's trail: who did what, when, why, through which channel. */
export interface AuditEntry {
  caseId: string;
  at: string;
  who: string;
  what: string;
  why?: string | undefined;
  channel: Channel;
  /** Makes the entry's key: a repeated step (a retry) gives the same key and rewrites its own line. */
  discriminator: string;
  details?: Record<string, unknown> | undefined;
}

export class CaseNotFoundError extends Error {
  override name = 'CaseNotFoundError';
}

/** The case is not in the state the action starts from (pausing a paused case, resuming an open one). */
export class CaseStateError extends Error {
  override name = 'CaseStateError';
}

function isConditionFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error as Error)?.name === 'ConditionalCheckFailedException'
  );
}

const CURRENT = 'CURRENT';

export class EscalationRepository {
  private readonly tables = { cases: tableName('Cases'), audit: tableName('Audit') };

  constructor(private readonly dynamo: DynamoDBDocumentClient) {}

  async currentCase(employerId: string): Promise<EscalationCase | undefined> {
    const { Item } = await this.dynamo.send(
      new GetCommand({
        TableName: this.tables.cases,
        Key: { employerId, slot: CURRENT },
        ConsistentRead: true,
      }),
    );
    return Item as EscalationCase | undefined;
  }

  /** Cases of a status, by employer (the byStatus index), optionally one officer's. */
  async casesWithStatus(status: CaseStatus, officerId?: string): Promise<EscalationCase[]> {
    const cases: EscalationCase[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.dynamo.send(
        new QueryCommand({
          TableName: this.tables.cases,
          IndexName: 'byStatus',
          KeyConditionExpression: '#s = :s',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': status },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of (page.Items ?? []) as (EscalationCase & { slot: string })[]) {
        if (item.slot === CURRENT && (!officerId || item.officerId === officerId)) cases.push(item);
      }
      start = page.LastEvaluatedKey;
    } while (start);
    return cases;
  }

  async audit(entry: AuditEntry): Promise<void> {
    const { discriminator, ...rest } = entry;
    await this.dynamo.send(
      new PutCommand({
        TableName: this.tables.audit,
        Item: { ...rest, entryKey: `${entry.at}#${entry.what}#${discriminator}` },
      }),
    );
  }

  async trail(caseId: string): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.dynamo.send(
        new QueryCommand({
          TableName: this.tables.audit,
          KeyConditionExpression: 'caseId = :c',
          ExpressionAttributeValues: { ':c': caseId },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      entries.push(...((page.Items ?? []) as AuditEntry[]));
      start = page.LastEvaluatedKey;
    } while (start);
    return entries;
  }

  /** OPEN -> PAUSED from today (Vietnam), with the reason; audited. */
  async pause(
    employerId: string,
    action: { reason: PauseReason; note?: string | undefined; by: string; at: string; channel: Channel },
  ): Promise<EscalationCase> {
    const current = await this.requireCase(employerId);
    const pause = {
      from: todayInVietnam(new Date(action.at)),
      reason: action.reason,
      by: action.by,
      ...(action.note ? { note: action.note } : {}),
    };
    let updated: EscalationCase;
    try {
      const { Attributes } = await this.dynamo.send(
        new UpdateCommand({
          TableName: this.tables.cases,
          Key: { employerId, slot: CURRENT },
          UpdateExpression:
            'SET #s = :paused, pauses = list_append(if_not_exists(pauses, :none), :pause), updatedAt = :at',
          ConditionExpression: '#s = :open',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':paused': 'PAUSED',
            ':open': 'OPEN',
            ':none': [],
            ':pause': [pause],
            ':at': action.at,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      updated = Attributes as EscalationCase;
    } catch (error) {
      if (isConditionFailure(error))
        throw new CaseStateError(`case ${current.caseId} is ${current.status}, not OPEN: nothing changed`);
      throw error;
    }
    await this.audit({
      caseId: current.caseId,
      at: action.at,
      who: action.by,
      what: 'PAUSED',
      why: [action.reason, action.note].filter(Boolean).join(': '),
      channel: action.channel,
      discriminator: employerId,
    });
    return updated;
  }

  /** PAUSED -> OPEN from today (Vietnam): the running pause ends; audited. */
  async resume(
    employerId: string,
    action: { note?: string | undefined; by: string; at: string; channel: Channel },
  ): Promise<EscalationCase> {
    const current = await this.requireCase(employerId);
    const last = (current.pauses?.length ?? 0) - 1;
    if (current.status !== 'PAUSED' || last < 0) {
      throw new CaseStateError(`case ${current.caseId} is ${current.status}, not PAUSED: nothing changed`);
    }
    let updated: EscalationCase;
    try {
      const { Attributes } = await this.dynamo.send(
        new UpdateCommand({
          TableName: this.tables.cases,
          Key: { employerId, slot: CURRENT },
          UpdateExpression: `SET #s = :open, pauses[${last}].#to = :to, updatedAt = :at`,
          // Still paused by the same pause (nobody resumed and paused again in between).
          ConditionExpression: '#s = :paused AND size(pauses) = :count',
          ExpressionAttributeNames: { '#s': 'status', '#to': 'to' },
          ExpressionAttributeValues: {
            ':open': 'OPEN',
            ':paused': 'PAUSED',
            ':to': todayInVietnam(new Date(action.at)),
            ':count': last + 1,
            ':at': action.at,
          },
          ReturnValues: 'ALL_NEW',
        }),
      );
      updated = Attributes as EscalationCase;
    } catch (error) {
      if (isConditionFailure(error))
        throw new CaseStateError(`case ${current.caseId} changed meanwhile: nothing changed`);
      throw error;
    }
    await this.audit({
      caseId: current.caseId,
      at: action.at,
      who: action.by,
      what: 'RESUMED',
      why: action.note,
      channel: action.channel,
      discriminator: employerId,
    });
    return updated;
  }

  private async requireCase(employerId: string): Promise<EscalationCase> {
    const current = await this.currentCase(employerId);
    if (!current) throw new CaseNotFoundError(`no debt case for employer ${employerId}`);
    return current;
  }
}
