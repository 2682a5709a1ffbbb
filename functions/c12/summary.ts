/** The run summary, read off the run's records (batch counts and per-employer items). Pure. */
import type { RunSummary } from './notice/email.ts';
import { emptyCounts, type BatchCounts, type RunItem } from './repository.ts';

const COUNT_KEYS = Object.keys(emptyCounts()) as (keyof BatchCounts)[];

export function summarizeRunItems(runId: string, period: string, items: readonly RunItem[]): RunSummary {
  const counts = emptyCounts();
  const listed = (prefix: string) =>
    items
      .filter((item) => item.itemKey.startsWith(prefix))
      .map((item) => ({
        employerId: String(item.employerId),
        name: String(item.name ?? ''),
        reason: Array.isArray(item.reasons) ? item.reasons.join('; ') : (item.reason as string | undefined),
      }));
  for (const item of items) {
    if (!item.itemKey.startsWith('BATCH#')) continue;
    for (const key of COUNT_KEYS) counts[key] += Number(item[key] ?? 0);
  }
  const duplicateEmployers = listed('DUPLICATE#');
  return {
    runId,
    period,
    ...counts,
    // The list is the record: a batch attempt that resent and then crashed counted nothing, its retry
    // found those notices delivered.
    possibleDuplicates: duplicateEmployers.length,
    quarantinedEmployers: listed('QUARANTINE#'),
    postalEmployers: listed('POSTAL#'),
    rejectedEmployers: listed('REJECTED#'),
    duplicateEmployers,
  };
}
