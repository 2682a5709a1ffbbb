/** Last step of the monthly run: add up the batch records, mark the run complete, email the administrators. */
import { z } from 'zod';
import { awsClients } from '../../shared/aws.ts';
import { appConfig } from '../../shared/config.ts';
import { sendEmail } from '../../shared/email.ts';
import { EmailConfigurationError } from '../../shared/errors.ts';
import { defineHandler } from '../../shared/lambda.ts';
import { logger } from '../../shared/logger.ts';
import { composeRunSummary } from '../compose.ts';
import { C12Repository } from '../repository.ts';
import { leaseIdFor } from '../run.ts';
import { summarizeRunItems } from '../summary.ts';
import type { RunSummary } from '../notice/email.ts';

const OUTPUT_LIST_LIMIT = 50;

export const summarizeRunEventSchema = z.object({
  runId: z.string().min(1),
  period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
  /** The Map's Catch output when a batch failed after its retries; Error null when every partition finished. */
  failure: z
    .object({ Error: z.string().nullable(), Cause: z.string().nullable().optional() })
    .default({ Error: null }),
});

/** The monthly run's execution output: counts, and the first entries of each list. */
export type MonthlyRunOutput = Omit<RunSummary, 'period'>;

export const handler = defineHandler(summarizeRunEventSchema, async (event): Promise<MonthlyRunOutput> => {
  const config = appConfig();
  const { dynamo, ses } = awsClients();
  const repository = new C12Repository(dynamo);
  const items = await repository.runItems(event.runId);
  const run = items.find((item) => item.itemKey === 'RUN');
  const failure = event.failure.Error
    ? `${event.failure.Error}: ${event.failure.Cause ?? ''}`.slice(0, 2000)
    : undefined;
  const summary = { ...summarizeRunItems(event.runId, event.period, items), failure };
  if (run?.summaryEmail !== 'SENT') {
    const outcome = await sendEmail(ses, composeRunSummary(config, summary));
    // The administrators' address is ours: its rejection is a configuration fault, not worth a retry.
    if (outcome.status === 'REJECTED')
      throw new EmailConfigurationError(`run summary rejected: ${outcome.reason}`);
  }
  const {
    runId: _runId,
    quarantinedEmployers,
    postalEmployers,
    rejectedEmployers,
    duplicateEmployers,
    ...counts
  } = summary;
  await repository.putRunItem({
    ...run,
    runId: event.runId,
    itemKey: 'RUN',
    status: failure ? 'FAILED' : 'COMPLETED',
    summaryEmail: 'SENT',
    completedAt: new Date().toISOString(),
    ...counts,
  });
  // After a failure, batches of this run may still be running (a Map's other iterations): the lease says so.
  await repository.releaseLease(
    leaseIdFor(event.period),
    event.runId,
    new Date().toISOString(),
    failure ? 'AFTER_FAILURE' : 'CLEAN',
  );
  logger.info(failure ? 'monthly run failed' : 'monthly run completed', { ...counts });
  // The execution output stays far below Step Functions' 256 KB limit: counts, and the first entries of each
  // list (the full lists are in the administrators' email and the run records).
  const first = (list: typeof postalEmployers) => list.slice(0, OUTPUT_LIST_LIMIT);
  return {
    runId: event.runId,
    ...counts,
    quarantinedEmployers: first(quarantinedEmployers),
    postalEmployers: first(postalEmployers),
    rejectedEmployers: first(rejectedEmployers),
    duplicateEmployers: first(duplicateEmployers),
  };
});
