/**
 * One batch of the monthly run: for each employer of a page, compute the statement from its ledger, store
 * the notice once (employer#period), deliver it (email with the PDF, or the postal list), record the
 * delivery, and open or update the debt case of an employer in arrears.
 *
 * Safe to repeat:
 * - a notice already delivered is skipped; counts come from the stored states (who delivered it), so a
 *   retried batch reports what its run did;
 * - a notice is claimed (SENDING) before its send; the same run re-claims its own claim after a failure or
 *   a crash, and that resend is counted as a possible duplicate (the only duplicates there can be); another
 *   run's fresh claim is left to that run;
 * - when anything fails, the batch stops taking employers and waits for the ones in flight before it
 *   fails, so no worker of a failed attempt is still sending when the retry starts.
 * One employer's bad data never stops the batch: it is quarantined with the reason, the rest go on.
 */
import { EmailConfigurationError } from '../shared/errors.ts';
import type { OutgoingEmail, SendOutcome } from '../shared/email.ts';
import { logger } from '../shared/logger.ts';
import { computeStatement } from './account.ts';
import {
  employerRecordSchema,
  ledgerToRequest,
  LedgerValidationError,
  type EmployerRecord,
} from './ledger.ts';
import { describeIssues, type Statement } from './model.ts';
import type { BatchCounts, C12Repository, NoticeRecord } from './repository.ts';
import { emptyCounts } from './repository.ts';

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
  /** Employers worked on at once: overlaps DynamoDB and SES round trips. */
  concurrency: number;
}

/** A claim older than this belongs to a run that died and was not resumed (Lambda runs 15 minutes at most). */
const CLAIM_STALE_AFTER_MS = 60 * 60 * 1000;
/** Reasons kept per quarantined employer: enough to fix the data, bounded so records stay small. */
const MAX_REASONS = 10;

/**
 * Runs `work` over the items, `limit` at a time. On the first failure no new item starts; the call
 * settles only when every started item has, then rejects with that first error.
 */
export async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw failure.error;
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

export async function processBatch(deps: BatchDeps, input: BatchInput): Promise<BatchResult> {
  const { repository } = deps;
  const page = await repository.pageEmployers(input.partition, input.cursor, input.batchSize);
  const counts = emptyCounts();

  await forEachLimited(page.items, deps.concurrency, async (item) => {
    counts.employers++;
    const employerId = String(item.employerId ?? '?');
    const quarantine = async (reasons: string[]) => {
      counts.quarantined++;
      logger.warn('employer quarantined', { runId: input.runId, employerId, reasons });
      await repository.putRunItem({
        runId: input.runId,
        itemKey: `QUARANTINE#${employerId}`,
        employerId,
        name: item.name,
        reasons: boundedReasons(reasons),
      });
    };
    const listDelivery = (kind: 'POSTAL' | 'REJECTED', employer: EmployerRecord, extra: object = {}) =>
      repository.putRunItem({
        runId: input.runId,
        itemKey: `${kind}#${employerId}`,
        employerId,
        name: employer.name,
        ...extra,
      });

    const employerParse = employerRecordSchema.safeParse(item);
    if (!employerParse.success) return quarantine(describeIssues(employerParse.error).split('\n'));
    const employer = employerParse.data;

    const rows = await repository.ledger(employerId);
    let statement: Statement;
    try {
      statement = computeStatement(ledgerToRequest(employer, rows, input.period));
    } catch (error) {
      const reasons = employerFailure(error);
      if (reasons) return quarantine(reasons);
      throw error;
    }

    if (statement.flags.some((flag) => flag.code === 'IN_ARREARS')) {
      counts.inArrears++;
      await repository.openOrUpdateCase(statement, employer.officerId, deps.now());
    }

    const { created, notice } = await repository.storeNoticeOnce({
      employerId,
      employerName: employer.name,
      period: input.period,
      runId: input.runId,
      status: 'PENDING',
      channel: employer.email ? 'EMAIL' : 'POSTAL',
      email: employer.email,
      statement,
      createdAt: deps.now(),
      sendAttempts: 0,
    } satisfies NoticeRecord);

    // The stored notice is the one delivered: a re-run never re-computes a notice already issued.
    if (
      !created &&
      (notice.status === 'SENT' || notice.status === 'POSTAL' || notice.status === 'REJECTED')
    ) {
      const mine = notice.deliveredBy === input.runId;
      if (!mine) counts.alreadyDelivered++;
      else if (notice.status === 'SENT') counts.sent++;
      else if (notice.status === 'POSTAL') counts.postal++;
      else counts.rejected++;
      // Whoever delivered it, this run's lists name every employer still to reach by post or to correct.
      if (notice.status === 'POSTAL') await listDelivery('POSTAL', employer);
      if (notice.status === 'REJECTED') {
        await listDelivery('REJECTED', employer, { email: notice.email, reason: notice.rejectReason });
      }
      return;
    }

    if (notice.channel === 'POSTAL' || !notice.email) {
      // Listed before the state changes: a crash in between leaves it PENDING, to be listed again.
      await listDelivery('POSTAL', employer);
      await repository.finishNotice(
        employerId,
        input.period,
        { status: 'POSTAL' },
        { runId: input.runId, at: deps.now() },
      );
      counts.postal++;
      return;
    }

    let mail: OutgoingEmail;
    try {
      mail = await deps.composeNotice(employer, notice.statement);
    } catch (error) {
      const reasons = employerFailure(error);
      if (reasons) return quarantine(reasons.map((reason) => `notice: ${reason}`));
      throw error;
    }
    const now = deps.now();
    const attempt = await repository.beginSend(employerId, input.period, {
      runId: input.runId,
      at: now,
      staleBefore: new Date(Date.parse(now) - CLAIM_STALE_AFTER_MS).toISOString(),
    });
    if (attempt === undefined) {
      // Another live run holds the claim (or delivered it a moment ago): it is that run's to count.
      counts.alreadyDelivered++;
      return;
    }
    if (attempt > 1) {
      counts.possibleDuplicates++;
      await repository.putRunItem({
        runId: input.runId,
        itemKey: `DUPLICATE#${employerId}`,
        employerId,
        name: employer.name,
        attempt,
      });
    }
    let outcome: SendOutcome;
    try {
      outcome = await deps.send({ ...mail, to: [notice.email] });
    } catch (error) {
      // Nothing was sent: give the claim back so the next attempt is not counted as a duplicate.
      if (error instanceof EmailConfigurationError)
        await repository.releaseSend(employerId, input.period, input.runId);
      throw error;
    }
    if (outcome.status === 'REJECTED') {
      logger.warn('notice rejected', { runId: input.runId, employerId, reason: outcome.reason });
      await listDelivery('REJECTED', employer, { email: notice.email, reason: outcome.reason });
    }
    await repository.finishNotice(employerId, input.period, outcome, { runId: input.runId, at: deps.now() });
    if (outcome.status === 'SENT') counts.sent++;
    else counts.rejected++;
  });

  await repository.putRunItem({
    runId: input.runId,
    itemKey: `BATCH#${input.partition}#${input.cursor ?? ''}`,
    partition: input.partition,
    cursor: input.cursor,
    ...counts,
    at: deps.now(),
  });
  return { ...input, cursor: page.next, done: page.next === null, counts };
}
