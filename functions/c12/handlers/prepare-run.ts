/**
 * First step of the monthly run: settle the period (the last closed month unless given), name the run after
 * the execution so a re-run of the same execution after a crash rewrites the same records, take the
 * period's lease (one run of a period at a time: a second one fails with RunInProgressError), and list the
 * partitions the workflow fans out over. Employers outside every listed partition are quarantined here,
 * with the reason, so the summary names them: no batch would ever page them.
 */
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { awsClients } from '../../shared/aws.ts';
import { lastClosedPeriod, todayInVietnam } from '../../shared/calendar.ts';
import { appConfig } from '../../shared/config.ts';
import { defineHandler } from '../../shared/lambda.ts';
import { logger } from '../../shared/logger.ts';
import { forEachLimited } from '../batch.ts';
import { C12Repository, emptyCounts } from '../repository.ts';
import { chunked } from '../../shared/collections.ts';
import { leaseIdFor, planBatchSize, runIdFor } from '../run.ts';

export const prepareRunEventSchema = z.object({
  /** The execution's input: which month, or the date the run counts as today (both optional). */
  input: z
    .object({
      period: z
        .string()
        .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM')
        .optional(),
      asOf: z.iso.date().optional(),
    })
    .default({}),
  /** $$.Execution.Id: the run is named after it. */
  executionId: z.string().min(1),
});

/** The batch record of the employers no partition reaches (a partition's batches are BATCH#<partition>#<cursor>). */
export const UNREACHED_BATCH_KEY = 'BATCH#~unreached';

/**
 * Quarantines the employers no listed partition reaches, counted as a batch of their own so that the run's
 * totals and its list of quarantined employers agree. Written before the run record: a crash in between
 * writes them again.
 */
async function recordUnreached(
  repository: C12Repository,
  runId: string,
  unreached: Awaited<ReturnType<C12Repository['employersOutsidePartitions']>>,
): Promise<void> {
  const items = [
    ...unreached.map((employer) => ({
      runId,
      itemKey: `QUARANTINE#${employer.employerId}`,
      employerId: employer.employerId,
      name: employer.name,
      reasons: [
        employer.partition === undefined
          ? 'partition: missing (the employer belongs to no partition the run pages)'
          : `partition: ${JSON.stringify(employer.partition)} is not listed in the Partitions table`,
      ],
    })),
    {
      runId,
      itemKey: UNREACHED_BATCH_KEY,
      ...emptyCounts(),
      employers: unreached.length,
      quarantined: unreached.length,
      at: new Date().toISOString(),
    },
  ];
  // A whole commune left out of Partitions is thousands of records: several batch writes at once, so the
  // step stays well inside its timeout.
  await forEachLimited(chunked(items, 250), 8, (chunk) => repository.putRunItems(chunk));
  logger.warn('employers outside every listed partition quarantined', {
    runId,
    count: unreached.length,
    employerIds: unreached.slice(0, 20).map((employer) => employer.employerId),
  });
}

export const handler = defineHandler(prepareRunEventSchema, async (event) => {
  const { dynamo, sfn } = awsClients();
  const repository = new C12Repository(dynamo);
  const period = event.input.period ?? lastClosedPeriod(event.input.asOf ?? todayInVietnam());
  const runId = runIdFor(period, event.executionId);
  await repository.acquireLease(
    leaseIdFor(period),
    { holder: runId, executionArn: event.executionId },
    new Date().toISOString(),
    async (executionArn) => {
      try {
        const { status } = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        return status === 'RUNNING' || status === 'PENDING_REDRIVE';
      } catch (error) {
        // Past Step Functions' retention (90 days) or deleted: it is not running.
        if ((error as Error)?.name === 'ExecutionDoesNotExist') return false;
        throw error;
      }
    },
  );
  const partitions = await repository.listPartitions();
  // Refuses a run too large for one execution before anything of it is written.
  const batchSize = planBatchSize(
    partitions.map((partition) => partition.employerCount ?? 0),
    appConfig().BATCH_SIZE,
  );
  // A resumed execution keeps what its first attempt recorded: the run record (and whether its summary
  // went out), and with it the employers found unreached and counted then (the Employers table may have
  // been corrected since; the batches reach whoever is in a listed partition now).
  const recorded = await repository.runItem(runId, 'RUN');
  let totalEmployers = Number(recorded?.totalEmployers ?? 0);
  if (!recorded) {
    const unreached = await repository.employersOutsidePartitions(
      new Set(partitions.map((partition) => partition.partition)),
    );
    if (unreached.length > 0) await recordUnreached(repository, runId, unreached);
    totalEmployers =
      partitions.reduce((total, partition) => total + (partition.employerCount ?? 0), 0) + unreached.length;
    await repository.createRunItemOnce({
      runId,
      itemKey: 'RUN',
      process: 'MONTHLY_C12',
      period,
      executionId: event.executionId,
      status: 'RUNNING',
      totalEmployers,
      partitions: partitions.length,
      startedAt: new Date().toISOString(),
    });
  }
  logger.info('monthly run prepared', {
    runId,
    period,
    partitions: partitions.length,
    totalEmployers,
    batchSize,
  });
  return {
    runId,
    period,
    batchSize,
    // Largest first: the Map works on a few partitions at a time, and a large one started last would run
    // on alone at the end while the other slots stand idle.
    partitions: [...partitions]
      .sort(
        (a, b) => (b.employerCount ?? 0) - (a.employerCount ?? 0) || a.partition.localeCompare(b.partition),
      )
      .map((partition) => partition.partition),
  };
});
