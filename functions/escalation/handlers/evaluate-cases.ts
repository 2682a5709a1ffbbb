/**
 * The escalation sweep's batch: a page of open cases (or the one asked for), each evaluated (../sweep.ts),
 * a few at a time; the running totals travel in the state, so the last batch's output is the sweep's.
 */
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { forEachLimited } from '../../c12/batch.ts';
import { C12Repository } from '../../c12/repository.ts';
import { awsClients, executionArnOf } from '../../shared/aws.ts';
import { appConfig } from '../../shared/config.ts';
import { SendRateLimiter, sendEmail } from '../../shared/email.ts';
import { defineHandler } from '../../shared/lambda.ts';
import { officeSettings } from '../documents.ts';
import { PolicyStore } from '../policy-store.ts';
import { EscalationRepository, type EscalationCase } from '../repository.ts';
import { evaluateOrRecordFailure, type SweepDeps } from '../sweep.ts';

const OUTCOMES = [
  'CLOSED',
  'CLIMBED',
  'APPROVAL_REQUESTED',
  'WAITING',
  'PAUSED',
  'AWAITING_APPROVAL',
  'SKIPPED',
  'FAILED',
] as const;

/** Cases named in the sweep's failure (the count is exact; the trail of each says why). */
const MAX_FAILED_LISTED = 20;

export const evaluateCasesEventSchema = z.object({
  asOf: z.iso.date(),
  employerId: z.string().nullable().default(null),
  batchSize: z.number().int().min(1).max(1000),
  cursor: z.string().nullable().default(null),
  totals: z.record(z.string(), z.number()).default({}),
  failed: z.array(z.string()).default([]),
});

const PAUSED_CURSOR = 'PAUSED:';

const config = appConfig();
const limiter = new SendRateLimiter(config.SES_MAX_SEND_RATE);

export const handler = defineHandler(evaluateCasesEventSchema, async (event) => {
  const { dynamo, ses, sfn } = awsClients();
  const cases = new EscalationRepository(dynamo);
  const c12 = new C12Repository(dynamo);
  const policies = new PolicyStore(dynamo);
  const deps: SweepDeps = {
    cases,
    employer: async () => undefined, // set per page below
    ledger: (partition, employerId) => c12.ledger(partition, employerId),
    send: async (mail) => {
      await limiter.acquire(mail.to.length + (mail.cc?.length ?? 0));
      return sendEmail(ses, mail);
    },
    startApproval: async (start) => {
      try {
        await sfn.send(
          new StartExecutionCommand({
            stateMachineArn: config.CASE_APPROVAL_STATE_MACHINE_ARN,
            name: start.executionName,
            input: JSON.stringify({
              start,
              approverCount: start.approvers.length,
              index: 0,
              previousApprover: null,
            }),
          }),
        );
        return 'STARTED';
      } catch (error) {
        if ((error as Error)?.name !== 'ExecutionAlreadyExists') throw error;
        // The name is taken: by the run an earlier attempt started (still going, or it asked and the case
        // records the link), or by a run that ended without asking (failed, or the name was used today).
        const { status } = await sfn.send(
          new DescribeExecutionCommand({
            executionArn: executionArnOf(config.CASE_APPROVAL_STATE_MACHINE_ARN, start.executionName),
          }),
        );
        // PENDING_REDRIVE: failed, but a redrive may resume it; treated as going.
        return status === 'RUNNING' || status === 'PENDING_REDRIVE'
          ? 'RUNNING'
          : { ended: status ?? 'UNKNOWN' };
      }
    },
    office: officeSettings(config),
    policies: () => policies.versions(),
    now: () => new Date().toISOString(),
  };

  let page: { cases: EscalationCase[]; next: string | null };
  if (event.employerId) {
    const one = await cases.currentCase(event.employerId);
    page = { cases: one && one.status !== 'CLOSED' ? [one] : [], next: null };
  } else {
    // Open cases first, then the paused ones (a payment in full closes a case whatever its state; paused
    // days do not age it). The cursor names the status it pages: "PAUSED:<employerId>", or an employer id.
    const pausedCursor = event.cursor?.startsWith(PAUSED_CURSOR)
      ? event.cursor.slice(PAUSED_CURSOR.length)
      : null;
    if (pausedCursor === null) {
      page = await cases.pageCases('OPEN', event.cursor, event.batchSize);
      if (page.next === null) page.next = PAUSED_CURSOR;
    } else {
      page = await cases.pageCases('PAUSED', pausedCursor || null, event.batchSize);
      if (page.next !== null) page.next = `${PAUSED_CURSOR}${page.next}`;
    }
  }
  // The page's employer records in one or two batch gets rather than a get per case.
  const employers = await cases.employers(page.cases.map((kase) => kase.employerId));
  deps.employer = async (employerId) => employers.get(employerId);
  const totals: Record<string, number> = {
    evaluated: 0,
    ...Object.fromEntries(OUTCOMES.map((o) => [o, 0])),
    ...event.totals,
  };
  const failed = [...event.failed];
  await forEachLimited(page.cases, 8, async (kase) => {
    const outcome = await evaluateOrRecordFailure(deps, kase, event.asOf);
    totals.evaluated = (totals.evaluated ?? 0) + 1;
    totals[outcome] = (totals[outcome] ?? 0) + 1;
    if (outcome === 'FAILED' && failed.length < MAX_FAILED_LISTED) failed.push(kase.caseId);
  });
  return {
    asOf: event.asOf,
    employerId: event.employerId,
    batchSize: event.batchSize,
    cursor: page.next,
    done: page.next === null,
    totals,
    failed,
  };
});
