/**
 * A monthly run is named after its period and its execution: the same execution re-run after a crash
 * rewrites the same run records, while a new execution for the same period gets its own (its notices are
 * still found by employer#period and not sent twice).
 */
export function runIdFor(period: string, executionId: string): string {
  const executionName = executionId.split(':').at(-1) ?? executionId;
  return `C12#${period}#${executionName}`;
}

/** The lease a run of the period holds: one monthly run of a period at a time. */
export function leaseIdFor(period: string): string {
  return `LEASE#C12#${period}`;
}

/**
 * A Standard execution keeps at most 25,000 history events; a batch costs 7 (its Task and Choice states),
 * a partition 4 (its Map iteration), the rest of the run about 20. The budget leaves room for retries.
 */
export const HISTORY_EVENT_BUDGET = 20_000;
const EVENTS_PER_BATCH = 7;
const EVENTS_PER_PARTITION = 4;
const EVENTS_FIXED = 20;
export const MAX_BATCH_SIZE = 1000;

export class RunTooLargeError extends Error {
  override name = 'RunTooLargeError';
}

export function estimatedHistoryEvents(partitionSizes: readonly number[], batchSize: number): number {
  let events = EVENTS_FIXED;
  for (const size of partitionSizes) {
    events += EVENTS_PER_PARTITION + EVENTS_PER_BATCH * Math.max(1, Math.ceil(size / batchSize));
  }
  return events;
}

/**
 * The batch size for a run: the configured one, raised as far as needed (up to MAX_BATCH_SIZE) for the
 * execution's history to stay within budget. Beyond that the partitions are too fine for one execution
 * (e.g. every commune of the country): group them coarser (by province) rather than fail on AWS mid-run.
 */
export function planBatchSize(partitionSizes: readonly number[], configured: number): number {
  for (let batchSize = configured; ; batchSize = Math.min(MAX_BATCH_SIZE, Math.ceil(batchSize * 1.25))) {
    if (estimatedHistoryEvents(partitionSizes, batchSize) <= HISTORY_EVENT_BUDGET) return batchSize;
    if (batchSize >= MAX_BATCH_SIZE) {
      throw new RunTooLargeError(
        `${partitionSizes.length} partitions would need ${estimatedHistoryEvents(partitionSizes, batchSize)} ` +
          `history events even in batches of ${MAX_BATCH_SIZE} (budget ${HISTORY_EVENT_BUDGET}): ` +
          'use coarser partitions, e.g. one per province',
      );
    }
  }
}
