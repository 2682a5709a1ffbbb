/**
 * DynamoDB access for debt cases as the escalation sees them: the employer's CURRENT case (opened by the
 * monthly run, see c12/repository.ts), its pauses, and the audit trail of every action on it. Every state
 * change is a conditional write on the state it starts from, so two actions on one case cannot both apply.
 */
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  paginateQuery,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { ApprovalsRepository } from '../approvals/repository.ts';
import { logger } from '../shared/logger.ts';
import { todayInVietnam } from '../shared/calendar.ts';
import { batchGet, batchPut } from '../shared/dynamo-batch.ts';
import { tableName } from '../shared/tables.ts';
import type { CaseStatus, Pause, PauseReason } from './ladder.ts';
import type { Stage } from './policy.ts';
import { isConditionFailure, updateIf, writeIf } from '../shared/conditional-write.ts';

/** A document a stage sends (reminder, urging letter, closing letter): claimed before it goes out. */
export interface CaseDocument {
  status: 'PENDING' | 'SENT' | 'POSTAL';
  at: string;
  messageId?: string;
  /** Authorities the document was sent to besides the employer (the evasion notice). */
  informed?: string[];
  /** Their message, when it went to them alone (the employer's copy by post). */
  informedMessageId?: string;
  /** The approval run that granted the stage and claimed this document (only that run's retry sends it). */
  run?: string;
}

export interface EscalationCase {
  employerId: string;
  caseId: string;
  employerName?: string;
  status: CaseStatus;
  stage: Stage | 'NONE';
  /** When each stage was reached (ISO instants). */
  stageReachedAt?: Partial<Record<Stage, string>>;
  /** The documents of the case's stages, by stage (and CLOSED), and whether they went out. */
  documents?: Partial<Record<Stage | 'CLOSED', CaseDocument>>;
  /**
   * Approvals withdrawn (by a pause or a payment): a part of the next run's name, since the withdrawn run
   * keeps its own while it still waits.
   */
  withdrawals?: number;
  /** An approval in progress: the stage, and the child execution that waits for it. */
  pendingApproval?: {
    stage: Stage;
    requestedAt: string;
    executionName: string;
    /** The approval (link) currently waiting, and whose it is. */
    approvalId?: string;
    approverId?: string;
  };
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
  closeReason?: string;
}

export type Channel = 'SYSTEM' | 'EMAIL_LINK' | 'CLI' | 'WEB';

export interface OfficerRecord {
  officerId: string;
  name: string;
  email: string;
  role: 'OFFICER' | 'SUPERVISOR' | 'DIRECTOR';
  /** Absent for the director. */
  supervisorId?: string;
}

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

/** The case no longer waits for this approval (closed, or its wait ended meanwhile): nothing to ask. */
export class CaseNotWaitingError extends Error {
  override name = 'CaseNotWaitingError';
}

const CURRENT = 'CURRENT';

const OFFICER_CACHE_MS = 5 * 60_000;
const officerCache = new Map<string, { record: OfficerRecord | undefined; until: number }>();

/** A case as stored: `slot` is the sort key (CURRENT, or CLOSED#caseId for a closed case's copy). */
type StoredCase = EscalationCase & { slot: string };

/** The case without its storage key: callers (the CLI, the case API) see the case, not the table. */
function asCase({ slot: _slot, ...kase }: StoredCase): EscalationCase {
  return kase;
}

export class EscalationRepository {
  private readonly tables = {
    cases: tableName('Cases'),
    audit: tableName('Audit'),
    officers: tableName('Officers'),
    employers: tableName('Employers'),
  };

  private readonly approvals: ApprovalsRepository;

  constructor(private readonly dynamo: DynamoDBDocumentClient) {
    this.approvals = new ApprovalsRepository(dynamo);
  }

  async currentCase(employerId: string): Promise<EscalationCase | undefined> {
    const { Item } = await this.dynamo.send(
      new GetCommand({
        TableName: this.tables.cases,
        Key: { employerId, slot: CURRENT },
        ConsistentRead: true,
      }),
    );
    return Item && asCase(Item as StoredCase);
  }

  /** Cases of a status, by employer (the byStatus index), optionally one officer's. */
  async casesWithStatus(status: CaseStatus, officerId?: string): Promise<EscalationCase[]> {
    const cases: EscalationCase[] = [];
    const pages = paginateQuery(
      { client: this.dynamo },
      {
        TableName: this.tables.cases,
        IndexName: 'byStatus',
        KeyConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': status },
      },
    );
    for await (const page of pages) {
      for (const item of (page.Items ?? []) as StoredCase[]) {
        if (item.slot === CURRENT && (!officerId || item.officerId === officerId)) cases.push(asCase(item));
      }
    }
    return cases;
  }

  /** One page of the cases of a status, in employer order after `cursor` (the last employerId seen). */
  async pageCases(
    status: CaseStatus,
    cursor: string | null,
    limit: number,
  ): Promise<{ cases: EscalationCase[]; next: string | null }> {
    const page = await this.dynamo.send(
      new QueryCommand({
        TableName: this.tables.cases,
        IndexName: 'byStatus',
        KeyConditionExpression: cursor ? '#s = :s AND employerId > :cursor' : '#s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: cursor ? { ':s': status, ':cursor': cursor } : { ':s': status },
        Limit: limit,
      }),
    );
    const items = (page.Items ?? []) as StoredCase[];
    const last = items.at(-1)?.employerId;
    return {
      cases: items.filter((item) => item.slot === CURRENT).map(asCase),
      next: page.LastEvaluatedKey && last ? last : null,
    };
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
    const pages = paginateQuery(
      { client: this.dynamo },
      {
        TableName: this.tables.audit,
        KeyConditionExpression: 'caseId = :c',
        ExpressionAttributeValues: { ':c': caseId },
        ConsistentRead: true,
      },
    );
    for await (const page of pages) entries.push(...((page.Items ?? []) as AuditEntry[]));
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
    let pending: EscalationCase['pendingApproval'];
    try {
      const { Attributes } = await this.dynamo.send(
        new UpdateCommand({
          TableName: this.tables.cases,
          Key: { employerId, slot: CURRENT },
          // A paused case waits for no decision: the approval in progress (if any) ends with the pause, and
          // the evaluation after the resume asks again.
          UpdateExpression:
            'SET #s = :paused, pauses = list_append(if_not_exists(pauses, :none), :pause), updatedAt = :at REMOVE pendingApproval ADD withdrawals :one',
          ConditionExpression: '#s = :open',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':paused': 'PAUSED',
            ':open': 'OPEN',
            ':none': [],
            ':pause': [pause],
            ':one': 1,
            ':at': action.at,
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      const { pendingApproval: waitedFor, ...before } = asCase(Attributes as StoredCase);
      updated = {
        ...before,
        status: 'PAUSED',
        pauses: [...(before.pauses ?? []), pause],
        updatedAt: action.at,
        withdrawals: (before.withdrawals ?? 0) + 1,
      };
      pending = waitedFor;
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
    if (pending) {
      try {
        await this.withdrawApprovalLink(current.caseId, pending, action.at, 'hồ sơ tạm dừng đôn đốc', {
          who: action.by,
          channel: action.channel,
        });
      } catch (error) {
        // The case is paused all the same; a decision on the link that stayed live takes no step
        // (APPROVAL_SET_ASIDE), and the evaluation after the resume asks again.
        logger.error('case paused, its approval link not withdrawn', {
          caseId: current.caseId,
          error: (error as Error)?.name,
        });
      }
    }
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
    const resumed = await updateIf<StoredCase>(
      this.dynamo,
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
    if (!resumed) throw new CaseStateError(`case ${current.caseId} changed meanwhile: nothing changed`);
    const updated = asCase(resumed);
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

  /**
   * One evaluation's climb, in one conditional write from the stage (and no approval in progress) the
   * evaluation saw: each automatic stage's reached date and its document claimed (PENDING), so a crash
   * before the documents went out leaves them to the next run; and the approval it hands on, if any, marked
   * in progress. False when the case moved meanwhile (another run advanced it).
   */
  async advance(
    employerId: string,
    from: Stage | 'NONE',
    stages: readonly Stage[],
    at: string,
    pending?: NonNullable<EscalationCase['pendingApproval']>,
  ): Promise<boolean> {
    if (stages.length === 0 && !pending) return true;
    const names: Record<string, string> = { '#s': 'status', '#stage': 'stage' };
    const values: Record<string, unknown> = { ':open': 'OPEN', ':from': from, ':at': at };
    const sets = ['updatedAt = :at'];
    if (stages.length > 0) {
      values[':to'] = stages.at(-1)!;
      sets.push('#stage = :to');
    }
    stages.forEach((stage, i) => {
      names[`#st${i}`] = stage;
      values[`:doc${i}`] = { status: 'PENDING', at };
      sets.push(`stageReachedAt.#st${i} = :at`, `documents.#st${i} = :doc${i}`);
    });
    if (pending) {
      values[':pending'] = pending;
      sets.push('pendingApproval = :pending');
    }
    return writeIf(
      this.dynamo,
      new UpdateCommand({
        TableName: this.tables.cases,
        Key: { employerId, slot: CURRENT },
        // The maps exist from the first advance on; the first one creates them.
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: '#s = :open AND #stage = :from AND attribute_not_exists(pendingApproval)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
  }

  /** Records that a document went out (or goes by post). */
  async markDocument(employerId: string, key: Stage | 'CLOSED', document: CaseDocument): Promise<void> {
    await this.markDocuments(employerId, [[key, document]]);
  }

  /** Records several documents in one write (an evaluation that took more than one stage). */
  async markDocuments(
    employerId: string,
    documents: readonly (readonly [Stage | 'CLOSED', CaseDocument])[],
  ): Promise<void> {
    if (documents.length === 0) return;
    await this.dynamo.send(
      new UpdateCommand({
        TableName: this.tables.cases,
        Key: { employerId, slot: CURRENT },
        UpdateExpression: `SET ${documents.map((_, i) => `documents.#d${i} = :doc${i}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(documents)',
        ExpressionAttributeNames: Object.fromEntries(documents.map(([key], i) => [`#d${i}`, key])),
        ExpressionAttributeValues: Object.fromEntries(
          documents.map(([, document], i) => [`:doc${i}`, document]),
        ),
      }),
    );
  }

  /**
   * Paid in full: the closing letter claimed while the case is still OPEN or PAUSED, so a send that fails
   * leaves the case open and the next sweep sends it again. 'CLOSED' if the case is closed already; 'SENT'
   * if the letter went out before (the close itself then failed): it is not sent twice.
   */
  async claimClosingLetter(employerId: string, at: string): Promise<'CLAIMED' | 'SENT' | 'CLOSED'> {
    try {
      const { Attributes } = await this.dynamo.send(
        new UpdateCommand({
          TableName: this.tables.cases,
          Key: { employerId, slot: CURRENT },
          UpdateExpression: 'SET documents.#closed = if_not_exists(documents.#closed, :doc)',
          ConditionExpression: '#s IN (:open, :paused) AND attribute_exists(documents)',
          ExpressionAttributeNames: { '#s': 'status', '#closed': 'CLOSED' },
          ExpressionAttributeValues: {
            ':open': 'OPEN',
            ':paused': 'PAUSED',
            ':doc': { status: 'PENDING', at },
          },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      const letter = (Attributes?.documents as Record<string, CaseDocument> | undefined)?.CLOSED;
      return letter && letter.status !== 'PENDING' ? 'SENT' : 'CLAIMED';
    } catch (error) {
      if (isConditionFailure(error)) return 'CLOSED';
      throw error;
    }
  }

  /** OPEN or PAUSED -> CLOSED (paid in full), once its closing letter is delivered. False if already closed. */
  async close(employerId: string, reason: string, at: string): Promise<boolean> {
    return writeIf(
      this.dynamo,
      new UpdateCommand({
        TableName: this.tables.cases,
        Key: { employerId, slot: CURRENT },
        // Nothing is late any more: the figures the pages show say so (the last statement's would not).
        UpdateExpression:
          'SET #s = :closed, closedAt = :at, closeReason = :reason, updatedAt = :at, ' +
          'overduePrincipal = :zero, overdueInterest = :zero, oldestOverdueDueDate = :none REMOVE pendingApproval',
        ConditionExpression: '#s IN (:open, :paused)',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: {
          ':closed': 'CLOSED',
          ':open': 'OPEN',
          ':paused': 'PAUSED',
          ':at': at,
          ':reason': reason,
          ':zero': 0,
          ':none': null,
        },
      }),
    );
  }

  /**
   * An approval stage granted: reached now, its document claimed, the approval in progress ended. Only by the
   * run the case waits for (`run`): a withdrawn run grants nothing. Returns the case as granted, or undefined
   * when the condition failed (granted by an earlier attempt, or the case no longer waits for this run).
   */
  async grantStage(
    employerId: string,
    stage: Stage,
    run: string,
    at: string,
  ): Promise<EscalationCase | undefined> {
    const granted = await updateIf<StoredCase>(
      this.dynamo,
      new UpdateCommand({
        TableName: this.tables.cases,
        Key: { employerId, slot: CURRENT },
        UpdateExpression:
          'SET #stage = :stage, stageReachedAt.#name = :at, documents.#name = :doc, updatedAt = :at REMOVE pendingApproval',
        ConditionExpression:
          '#s = :open AND pendingApproval.#stage = :stage AND pendingApproval.executionName = :run',
        ExpressionAttributeNames: { '#s': 'status', '#stage': 'stage', '#name': stage },
        ExpressionAttributeValues: {
          ':open': 'OPEN',
          ':stage': stage,
          ':run': run,
          ':at': at,
          ':doc': { status: 'PENDING', at, run },
        },
        // The case as granted: the caller sends its letter from it rather than reading it again.
        ReturnValues: 'ALL_NEW',
      }),
    );
    return granted && asCase(granted);
  }

  /** The employer's contact as the Employers table holds it (the documents' recipient). */
  async employer(employerId: string): Promise<{ email?: string; name?: string } | undefined> {
    const { Item } = await this.dynamo.send(
      new GetCommand({ TableName: this.tables.employers, Key: { employerId } }),
    );
    return Item as { email?: string; name?: string } | undefined;
  }

  /**
   * An officer record, cached for a few minutes per process: the sweep and the approvals look the same
   * few dozen officers up thousands of times, and a change of officer can wait that long.
   */
  async officer(officerId: string): Promise<OfficerRecord | undefined> {
    const cached = officerCache.get(officerId);
    if (cached && cached.until > Date.now()) return cached.record;
    const { Item } = await this.dynamo.send(
      new GetCommand({ TableName: this.tables.officers, Key: { officerId } }),
    );
    officerCache.set(officerId, {
      record: Item as OfficerRecord | undefined,
      until: Date.now() + OFFICER_CACHE_MS,
    });
    return Item as OfficerRecord | undefined;
  }

  /** The Employers records of these employers, by id (batch gets of 100). */
  async employers(employerIds: readonly string[]): Promise<Map<string, Record<string, unknown>>> {
    const items = await batchGet(
      this.dynamo,
      this.tables.employers,
      employerIds.map((employerId) => ({ employerId })),
    );
    return new Map(items.map((item) => [String(item.employerId), item]));
  }

  /** Several entries of one step at once (one request). */
  async auditAll(entries: readonly AuditEntry[]): Promise<void> {
    await batchPut(
      this.dynamo,
      this.tables.audit,
      entries.map(({ discriminator, ...rest }) => ({
        ...rest,
        entryKey: `${rest.at}#${rest.what}#${discriminator}`,
      })),
    );
  }

  /** Names the approval (link) now waiting for the case's stage. */
  /**
   * Records on the case the approval (link) now waiting, and whose it is, for the run `executionName`. A case
   * that no longer waits for that run (closed, or its wait ended or passed to another run) is
   * CaseNotWaitingError; a case that is not there at all, CaseNotFoundError.
   */
  async setWaitingApproval(
    employerId: string,
    waitingFor: { stage: Stage; executionName: string },
    approvalId: string,
    approverId: string,
  ): Promise<void> {
    const waiting = await writeIf(
      this.dynamo,
      new UpdateCommand({
        TableName: this.tables.cases,
        Key: { employerId, slot: CURRENT },
        UpdateExpression: 'SET pendingApproval.approvalId = :id, pendingApproval.approverId = :who',
        ConditionExpression: 'pendingApproval.#stage = :stage AND pendingApproval.executionName = :run',
        ExpressionAttributeNames: { '#stage': 'stage' },
        ExpressionAttributeValues: {
          ':id': approvalId,
          ':who': approverId,
          ':stage': waitingFor.stage,
          ':run': waitingFor.executionName,
        },
      }),
    );
    if (waiting) return;
    await this.requireCase(employerId);
    // Paid and closed, or its wait ended, since the approval was asked for: a retry would not change that.
    throw new CaseNotWaitingError(
      `the case of ${employerId} no longer waits for ${waitingFor.stage} (${waitingFor.executionName})`,
    );
  }

  /**
   * Ends the approval in progress for `stage` (decided, rejected or lapsed), if it is still `run`'s (a run
   * withdrawn and replaced by another must not end its successor's wait). With `onlyUnasked`, only if the
   * run never recorded an approval link (a run that asked keeps its marker). Whether there was one to clear.
   */
  async clearPendingApproval(
    employerId: string,
    stage: Stage,
    run: string,
    options: { onlyUnasked?: boolean } = {},
  ): Promise<boolean> {
    return writeIf(
      this.dynamo,
      new UpdateCommand({
        TableName: this.tables.cases,
        Key: { employerId, slot: CURRENT },
        UpdateExpression: 'REMOVE pendingApproval',
        ConditionExpression: `pendingApproval.#stage = :stage AND pendingApproval.executionName = :name${options.onlyUnasked ? ' AND attribute_not_exists(pendingApproval.approvalId)' : ''}`,
        ExpressionAttributeNames: { '#stage': 'stage' },
        ExpressionAttributeValues: { ':stage': stage, ':name': run },
      }),
    );
  }

  /**
   * The approval `pending` marks ends undecided, when the case no longer warrants it (paid below the stage's
   * threshold meanwhile): the marker goes, if it is still that run's, and the link dies. Whether it went.
   */
  async withdrawPendingApproval(
    kase: Pick<EscalationCase, 'employerId' | 'caseId'>,
    pending: NonNullable<EscalationCase['pendingApproval']>,
    at: string,
    why: string,
  ): Promise<boolean> {
    let removed: EscalationCase['pendingApproval'];
    try {
      const { Attributes } = await this.dynamo.send(
        new UpdateCommand({
          TableName: this.tables.cases,
          Key: { employerId: kase.employerId, slot: CURRENT },
          UpdateExpression: 'REMOVE pendingApproval ADD withdrawals :one',
          ConditionExpression: 'pendingApproval.executionName = :run',
          ExpressionAttributeValues: { ':run': pending.executionName, ':one': 1 },
          // The marker as it was (the caller's copy may come from an index, a link behind).
          ReturnValues: 'ALL_OLD',
        }),
      );
      removed = (Attributes as EscalationCase | undefined)?.pendingApproval;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      return false;
    }
    await this.withdrawApprovalLink(kase.caseId, removed ?? pending, at, why);
    return true;
  }

  /**
   * The link of an approval the case stopped waiting for decides nothing any more (WITHDRAWN), and the trail
   * says why. The workflow still waiting on it finds the case not waiting at its next step and ends quietly.
   */
  async withdrawApprovalLink(
    caseId: string,
    pending: NonNullable<EscalationCase['pendingApproval']>,
    at: string,
    why: string,
    by: { who: string; channel: Channel } = { who: 'dondoc', channel: 'SYSTEM' },
  ): Promise<void> {
    // The link that is live: the one the marker names, or the one it was passed on to (a reassignment the
    // marker has not caught up with). A link already decided stays decided; the wait ends all the same.
    let approvalId = pending.approvalId;
    for (let hops = 0; approvalId && hops < 4; hops++) {
      if (await this.approvals.withdraw(approvalId, at, why)) break;
      const record = await this.approvals.get(approvalId);
      approvalId = record?.state === 'REASSIGNED' ? record.reassignedTo : undefined;
    }
    await this.audit({
      caseId,
      at,
      who: by.who,
      what: 'APPROVAL_WITHDRAWN',
      why: `${pending.stage}: ${why}`,
      channel: by.channel,
      discriminator: `${pending.stage}#${pending.executionName}`,
    });
  }

  private async requireCase(employerId: string): Promise<EscalationCase> {
    const current = await this.currentCase(employerId);
    if (!current) throw new CaseNotFoundError(`no debt case for employer ${employerId}`);
    return current;
  }
}
