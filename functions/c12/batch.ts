/**
 * One batch of the monthly run: for each employer of a page, compute the statement from its ledger, store
 * the notice once (employer#period), deliver it (email with the PDF, or the postal list), record the
 * delivery, and open or update the debt case of an employer in arrears.
 *
 * Safe to repeat: a notice already delivered is skipped; a notice left SENDING by a crash is sent again and
 * counted as a possible duplicate (the only duplicates a crash can cause). One employer's bad data or bad
 * address never stops the batch: it is quarantined or recorded, and the rest go on.
 */
import type { SendOutcome } from '../shared/email.ts';
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

export interface NoticeMail {
  to: string;
  raw: Buffer;
}

export interface BatchDeps {
  repository: C12Repository;
  /** Builds the raw MIME notice (Vietnamese email with the C12-TS PDF). */
  composeNotice(employer: EmployerRecord, statement: Statement): Promise<NoticeMail>;
  send(mail: NoticeMail): Promise<SendOutcome>;
  now(): string;
  /** Employers worked on at once: overlaps DynamoDB and SES round trips. */
  concurrency: number;
}

async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(workers);
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
        reasons,
      });
    };

    const employerParse = employerRecordSchema.safeParse(item);
    if (!employerParse.success) return quarantine(describeIssues(employerParse.error).split('\n'));
    const employer = employerParse.data;

    let statement: Statement;
    try {
      statement = computeStatement(
        ledgerToRequest(employer, await repository.ledger(employerId), input.period),
      );
    } catch (error) {
      if (error instanceof LedgerValidationError) return quarantine(error.reasons);
      throw error;
    }

    const inArrears = statement.flags.some((flag) => flag.code === 'IN_ARREARS');
    if (inArrears) {
      counts.inArrears++;
      await repository.openOrUpdateCase(statement, employer.officerId, deps.now());
    }

    const { created, notice } = await repository.storeNoticeOnce({
      employerId,
      period: input.period,
      runId: input.runId,
      status: 'PENDING',
      channel: employer.email ? 'EMAIL' : 'POSTAL',
      email: employer.email,
      statement,
      createdAt: deps.now(),
      sendAttempts: 0,
    } satisfies NoticeRecord);
    // The stored notice is the one delivered: a re-run never re-computes a notice already issued. Counts
    // depend only on the stored state, so a retried batch reports what this run did, not what was left.
    if (!created && notice.status !== 'PENDING' && notice.status !== 'SENDING') {
      if (notice.runId !== input.runId) counts.alreadyDelivered++;
      else if (notice.status === 'SENT') counts.sent++;
      else if (notice.status === 'POSTAL') counts.postal++;
      else counts.rejected++;
      return;
    }

    if (notice.channel === 'POSTAL' || !notice.email) {
      counts.postal++;
      await repository.finishNotice(employerId, input.period, { status: 'POSTAL' }, deps.now());
      await repository.putRunItem({
        runId: input.runId,
        itemKey: `POSTAL#${employerId}`,
        employerId,
        name: employer.name,
      });
      return;
    }

    const mail = await deps.composeNotice(employer, notice.statement);
    const attempt = await repository.beginSend(employerId, input.period);
    if (attempt === undefined) {
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
    const outcome = await deps.send({ ...mail, to: notice.email });
    await repository.finishNotice(employerId, input.period, outcome, deps.now());
    if (outcome.status === 'SENT') {
      counts.sent++;
    } else {
      counts.rejected++;
      logger.warn('notice rejected', { runId: input.runId, employerId, reason: outcome.reason });
      await repository.putRunItem({
        runId: input.runId,
        itemKey: `REJECTED#${employerId}`,
        employerId,
        name: employer.name,
        email: notice.email,
        reason: outcome.reason,
      });
    }
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
