/**
 * One batch of the monthly run: for a page of a partition's employers, compute each statement from the
 * employer's ledger, store the notice once (employer#period), deliver it (email with the PDF, or the postal
 * list), record the delivery, and open or update the debt case of an employer in arrears.
 *
 * Cost grows with batches, not employers: the page's ledgers and stored notices are read in a few requests,
 * and notices are written a chunk at a time. No other run writes them: the run holds the period's lease
 * (repository.ts), which every batch renews and checks before it claims anything. Per employer there is one
 * SES call, and one case write when it is in arrears (the page's case slots are read in one request).
 *
 * Safe to repeat:
 * - a notice already delivered is skipped; counts come from the stored states (who delivered it), so a
 *   retried batch reports what its run did;
 * - a chunk of notices is marked SENDING in one write before any of them is sent, and marked with the
 *   outcome after; a notice found SENDING (a crash or a failed attempt) is sent again and listed as a
 *   possible duplicate: the only duplicates there can be, at most the chunks in flight at a crash;
 * - when anything fails, the batch starts nothing new and waits for what is in flight, records what did
 *   happen (claims of notices not sent are given back), then fails, so no worker of a failed attempt is
 *   still sending when the retry starts.
 * One employer's bad data never stops the batch: it is quarantined with the reason, the rest go on.
 */
import { EmailConfigurationError, isUnreadableNumber } from '../shared/errors.ts';
import type { OutgoingEmail, SendOutcome } from '../shared/email.ts';
import { logger } from '../shared/logger.ts';
import { computeStatement } from './account.ts';
import {
  employerRecordSchema,
  ledgerToRequest,
  LedgerValidationError,
  type EmployerRecord,
  type LedgerRow,
} from './ledger.ts';
import { describeIssues, type Statement } from './model.ts';
import type { BatchCounts, C12Repository, NoticeRecord, RunItem } from './repository.ts';
import { emptyCounts } from './repository.ts';
import { chunked } from '../shared/collections.ts';

export interface BatchInput {
  runId: string;
  period: string;
  partition: string;
  batchSize: number;
  cursor: string | null;
}

export interface BatchResult extends BatchInput {
  done: boolean;
  counts: BatchCounts;
}

export interface BatchDeps {
  repository: C12Repository;
  /** Builds the notice: a Vietnamese email with the C12-TS PDF attached. */
  composeNotice(employer: EmployerRecord, statement: Statement): Promise<OutgoingEmail>;
  send(mail: OutgoingEmail): Promise<SendOutcome>;
  now(): string;
  /** Sends in flight at once per chunk (chunksInFlight x concurrency per batch): overlaps SES round trips. */
  concurrency: number;
  /** Notices marked SENDING, sent and recorded together (one write each way). */
  chunkSize: number;
  /** Chunks worked on at once: one composes its PDFs while another waits on SES. */
  chunksInFlight: number;
  /** Renew the run's lease; throws LeaseLostError when another run has taken it over. */
  renewLease(): Promise<void>;
}

/** A batch renews its lease when it starts and, while it works, before a claim at least this often. */
const LEASE_RENEWAL_MS = 60_000;

/** Reasons kept per quarantined employer: enough to fix the data, bounded so records stay small. */
const MAX_REASONS = 10;

/** Shared by the workers of one batch: once something failed, nothing new starts. */
export interface Halt {
  error?: { cause: unknown };
}

/**
 * Runs `work` over the items, `limit` at a time. On the first failure (here or anywhere sharing `halt`)
 * no new item starts; the call settles only when every started item has, then rejects with that failure.
 */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
  halt: Halt = {},
): Promise<void> {
  if (!(limit >= 1)) throw new RangeError(`forEachLimited: limit must be at least 1, got ${limit}`);
  let next = 0;
  let mine: { cause: unknown } | undefined;
  const worker = async () => {
    while (!halt.error && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (cause) {
        mine ??= { cause };
        halt.error ??= mine;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (mine) throw mine.cause;
  if (halt.error) throw halt.error.cause;
}

function boundedReasons(reasons: readonly string[]): string[] {
  if (reasons.length <= MAX_REASONS) return [...reasons];
  return [...reasons.slice(0, MAX_REASONS), `… and ${reasons.length - MAX_REASONS} more`];
}

/** Reasons to quarantine for an error raised while computing or composing one employer's notice. */
function employerFailure(error: unknown): string[] | undefined {
  if (error instanceof LedgerValidationError) return error.reasons;
  if (error instanceof Error && !('$metadata' in error)) return [`${error.name}: ${error.message}`];
  return undefined; // an AWS service error: the batch fails and is retried
}

function isDelivered(notice: NoticeRecord): boolean {
  return notice.status === 'SENT' || notice.status === 'POSTAL' || notice.status === 'REJECTED';
}

interface EmailWork {
  employer: EmployerRecord;
  notice: NoticeRecord;
}

export async function processBatch(deps: BatchDeps, input: BatchInput): Promise<BatchResult> {
  const { repository } = deps;
  const { runId, period } = input;
  let renewedAt = Date.parse(deps.now());
  await deps.renewLease();
  const keepLease = async () => {
    const now = Date.parse(deps.now());
    if (now - renewedAt < LEASE_RENEWAL_MS) return;
    renewedAt = now;
    await deps.renewLease();
  };
  const page = await repository.pageEmployers(input.partition, input.cursor, input.batchSize);
  const counts = emptyCounts();
  const runItem = (kind: string, employerId: string, fields: object): RunItem => ({
    runId,
    itemKey: `${kind}#${employerId}`,
    employerId,
    ...fields,
  });
  const quarantined: RunItem[] = [];
  const quarantine = (employerId: string, name: unknown, reasons: string[]) => {
    counts.quarantined++;
    logger.warn('employer quarantined', { runId, employerId, reasons });
    quarantined.push(runItem('QUARANTINE', employerId, { name, reasons: boundedReasons(reasons) }));
  };

  const ids = page.items.map((item) => String(item.employerId ?? '?'));
  const notices = await repository.notices(ids, period);
  // Statements come from stored notices where there are some (a re-run reads no ledger at all).
  let ledgers = new Map<string, LedgerRow[]>();
  const unreadable = new Map<string, string>();
  if (ids.some((id) => !notices.has(id))) {
    try {
      ledgers = await repository.ledgersOfPage(input.partition, ids);
    } catch (error) {
      if (!isUnreadableNumber(error)) throw error;
      // A row holds a number no JavaScript number can carry: the page's read fails as a whole, so it is
      // read employer by employer and only that row's employer is quarantined.
      for (const id of ids) {
        if (notices.has(id)) continue;
        try {
          ledgers.set(id, await repository.ledger(input.partition, id));
        } catch (failure) {
          if (!isUnreadableNumber(failure)) throw failure;
          unreadable.set(id, (failure as Error).message);
        }
      }
    }
  }

  const postal: EmailWork[] = [];
  const email: EmailWork[] = [];
  const arrears: { statement: Statement; employer: EmployerRecord }[] = [];
  const listed: RunItem[] = []; // postal and rejected lists of notices delivered earlier

  for (const [index, item] of page.items.entries()) {
    counts.employers++;
    const employerId = ids[index]!;
    const employerParse = employerRecordSchema.safeParse(item);
    if (!employerParse.success) {
      quarantine(employerId, item.name, describeIssues(employerParse.error).split('\n'));
      continue;
    }
    const employer = employerParse.data;
    const stored = notices.get(employerId);
    let statement: Statement;
    if (stored) {
      // The stored notice is the one delivered: a re-run never re-computes a notice already issued.
      statement = stored.statement;
    } else if (unreadable.has(employerId)) {
      quarantine(employerId, employer.name, [`ledger: ${unreadable.get(employerId)}`]);
      continue;
    } else {
      try {
        statement = computeStatement(ledgerToRequest(employer, ledgers.get(employerId) ?? [], period));
      } catch (error) {
        const reasons = employerFailure(error);
        if (!reasons) throw error;
        quarantine(employerId, employer.name, reasons);
        continue;
      }
    }
    if (statement.flags.some((flag) => flag.code === 'IN_ARREARS')) {
      counts.inArrears++;
      arrears.push({ statement, employer });
    }

    if (stored && isDelivered(stored)) {
      const mine = stored.deliveredBy === runId;
      if (!mine) counts.alreadyDelivered++;
      else if (stored.status === 'SENT') counts.sent++;
      else if (stored.status === 'POSTAL') counts.postal++;
      else counts.rejected++;
      // Whoever delivered it, this run's lists name every employer still to reach by post or to correct.
      if (stored.status === 'POSTAL') listed.push(runItem('POSTAL', employerId, { name: employer.name }));
      if (stored.status === 'REJECTED') {
        listed.push(
          runItem('REJECTED', employerId, {
            name: employer.name,
            email: stored.email,
            reason: stored.rejectReason,
          }),
        );
      }
      continue;
    }

    const notice: NoticeRecord = stored ?? {
      employerId,
      employerName: employer.name,
      period,
      runId,
      status: 'PENDING',
      channel: employer.email ? 'EMAIL' : 'POSTAL',
      email: employer.email,
      statement,
      createdAt: deps.now(),
      sendAttempts: 0,
    };
    (notice.channel === 'POSTAL' || !notice.email ? postal : email).push({ employer, notice });
  }

  const halt: Halt = {};
  const failures: unknown[] = [];
  const settle = async (work: Promise<void>) => {
    try {
      await work;
    } catch (error) {
      failures.push(error);
      halt.error ??= { cause: error };
    }
  };

  await Promise.all([
    settle(repository.putRunItems([...quarantined, ...listed])),
    settle(deliverByPost(deps, input, postal, counts)),
    settle(
      forEachLimited(
        chunked(email, deps.chunkSize),
        deps.chunksInFlight,
        (chunk) => sendChunk(deps, input, chunk, counts, halt, keepLease),
        halt,
      ),
    ),
    settle(
      (async () => {
        // The cases' slots in one read, so each case is then one short write.
        const cases = await repository.currentCases(arrears.map(({ statement }) => statement.employerId));
        await forEachLimited(
          arrears,
          4,
          async ({ statement, employer }) => {
            const current = cases.get(statement.employerId) ?? null;
            await repository.openOrUpdateCase(statement, employer, deps.now(), { current });
          },
          halt,
        );
      })(),
    ),
  ]);
  if (failures.length > 0) throw failures[0];

  await repository.putRunItems([
    {
      runId,
      itemKey: `BATCH#${input.partition}#${input.cursor ?? ''}`,
      partition: input.partition,
      cursor: input.cursor,
      ...counts,
      at: deps.now(),
    },
  ]);
  return { ...input, cursor: page.next, done: page.next === null, counts };
}

/** Listed before the notices change state: a crash in between leaves them undelivered, to be listed again. */
async function deliverByPost(
  deps: BatchDeps,
  input: BatchInput,
  work: readonly EmailWork[],
  counts: BatchCounts,
) {
  if (work.length === 0) return;
  await deps.repository.putRunItems(
    work.map(({ employer, notice }) => ({
      runId: input.runId,
      itemKey: `POSTAL#${notice.employerId}`,
      employerId: notice.employerId,
      name: employer.name,
    })),
  );
  const at = deps.now();
  await deps.repository.putNotices(
    work.map(({ notice }) => ({ ...notice, status: 'POSTAL', deliveredBy: input.runId, deliveredAt: at })),
  );
  counts.postal += work.length;
}

type Attempt =
  | { state: 'composed'; work: EmailWork; mail: OutgoingEmail }
  | { state: 'quarantined' }
  | { state: 'sent' | 'rejected'; work: EmailWork; outcome: SendOutcome }
  | { state: 'not sent'; work: EmailWork } // never attempted, or SES refused before sending anything
  | { state: 'failed'; work: EmailWork }; // the send failed: it may or may not have gone out

async function sendChunk(
  deps: BatchDeps,
  input: BatchInput,
  chunk: readonly EmailWork[],
  counts: BatchCounts,
  halt: Halt,
  keepLease: () => Promise<void>,
): Promise<void> {
  const { repository } = deps;
  const { runId } = input;
  const attempts: Attempt[] = [];
  const quarantined: RunItem[] = [];
  for (const work of chunk) {
    try {
      attempts.push({
        state: 'composed',
        work,
        mail: await deps.composeNotice(work.employer, work.notice.statement),
      });
    } catch (error) {
      const reasons = employerFailure(error);
      if (!reasons) throw error;
      counts.quarantined++;
      logger.warn('employer quarantined', { runId, employerId: work.notice.employerId, reasons });
      quarantined.push({
        runId,
        itemKey: `QUARANTINE#${work.notice.employerId}`,
        employerId: work.notice.employerId,
        name: work.employer.name,
        reasons: boundedReasons(reasons.map((reason) => `notice: ${reason}`)),
      });
      attempts.push({ state: 'quarantined' });
    }
  }
  await repository.putRunItems(quarantined);
  if (halt.error) throw halt.error.cause;
  await keepLease();

  // Claim: every notice of the chunk SENDING, one attempt more, before the first send.
  const claimedAt = deps.now();
  const claimed = new Map<EmailWork, NoticeRecord>();
  for (const attempt of attempts) {
    if (attempt.state !== 'composed') continue;
    const { notice } = attempt.work;
    claimed.set(attempt.work, {
      ...notice,
      status: 'SENDING',
      sendAttempts: notice.sendAttempts + 1,
      claimedBy: runId,
      claimedAt,
    });
  }
  try {
    await repository.putNotices([...claimed.values()]);
  } catch (error) {
    // Part of the write may have gone through: give those claims back, as far as the store lets us.
    await repository.putNotices([...claimed.keys()].map((work) => work.notice)).catch(() => undefined);
    throw error;
  }

  let failure: { cause: unknown } | undefined;
  await forEachLimited(
    attempts.filter((attempt) => attempt.state === 'composed'),
    deps.concurrency,
    async (attempt) => {
      const index = attempts.indexOf(attempt);
      if (halt.error) return; // left 'composed': given back below
      try {
        const outcome = await deps.send({ ...attempt.mail, to: [attempt.work.notice.email!] });
        attempts[index] = {
          state: outcome.status === 'SENT' ? 'sent' : 'rejected',
          work: attempt.work,
          outcome,
        };
      } catch (error) {
        failure ??= { cause: error };
        halt.error ??= failure; // the other chunks of the batch start no new send either
        // SES refused the account, not the message: nothing went out, the claim is given back. Any other
        // failure may have sent it: it stays SENDING, and a resend counts as a possible duplicate.
        attempts[index] =
          error instanceof EmailConfigurationError
            ? { state: 'not sent', work: attempt.work }
            : { state: 'failed', work: attempt.work };
      }
    },
  );

  // Record the outcomes. Sent and given-back notices first; the rejected ones after their list, so a crash
  // in between lists them again.
  const at = deps.now();
  const duplicates: RunItem[] = [];
  const settled: NoticeRecord[] = [];
  const rejectedList: RunItem[] = [];
  const rejected: NoticeRecord[] = [];
  for (const attempt of attempts) {
    if (attempt.state === 'quarantined') continue;
    const notice = claimed.get(attempt.work)!;
    if (attempt.state === 'composed' || attempt.state === 'not sent') {
      settled.push({ ...notice, status: 'PENDING', sendAttempts: notice.sendAttempts - 1 });
      continue;
    }
    if (notice.sendAttempts > 1) {
      counts.possibleDuplicates++;
      duplicates.push({
        runId,
        itemKey: `DUPLICATE#${notice.employerId}`,
        employerId: notice.employerId,
        name: attempt.work.employer.name,
        attempt: notice.sendAttempts,
      });
    }
    if (attempt.state === 'failed') continue;
    const outcome = attempt.outcome;
    if (outcome.status === 'SENT') {
      counts.sent++;
      settled.push({
        ...notice,
        status: 'SENT',
        messageId: outcome.messageId,
        deliveredBy: runId,
        deliveredAt: at,
      });
    } else {
      counts.rejected++;
      logger.warn('notice rejected', { runId, employerId: notice.employerId, reason: outcome.reason });
      rejectedList.push({
        runId,
        itemKey: `REJECTED#${notice.employerId}`,
        employerId: notice.employerId,
        name: attempt.work.employer.name,
        email: notice.email,
        reason: outcome.reason,
      });
      rejected.push({
        ...notice,
        status: 'REJECTED',
        rejectReason: outcome.reason,
        deliveredBy: runId,
        deliveredAt: at,
      });
    }
  }
  await repository.putRunItems(duplicates);
  await repository.putNotices(settled);
  if (rejected.length > 0) {
    await repository.putRunItems(rejectedList);
    await repository.putNotices(rejected);
  }
  if (failure) throw failure.cause;
}
