import { describe, expect, it } from 'vitest';
import {
  estimatedHistoryEvents,
  HISTORY_EVENT_BUDGET,
  planBatchSize,
  runIdFor,
  RunTooLargeError,
} from '../../../functions/c12/run.ts';

describe('runIdFor', () => {
  it('names the run after the period and the execution name', () => {
    expect(
      runIdFor('2026-10', 'arn:aws:states:ap-southeast-1:1:execution:dondoc-MonthlyC12Notices:c12-x'),
    ).toBe('C12#2026-10#c12-x');
  });
});

describe('planBatchSize: one execution stays under the 25,000-event history limit', () => {
  it('keeps the configured size for a province (10 communes, 300 employers)', () => {
    expect(planBatchSize(Array(10).fill(30), 200)).toBe(200);
  });

  it('raises the size for 500,000 employers in 34 provinces', () => {
    const provinces = Array(34).fill(Math.ceil(500_000 / 34));
    const batchSize = planBatchSize(provinces, 100);
    expect(batchSize).toBeGreaterThan(100);
    expect(estimatedHistoryEvents(provinces, batchSize)).toBeLessThanOrEqual(HISTORY_EVENT_BUDGET);
  });

  it('refuses partitions too fine for one execution: every commune of the country', () => {
    const communes = Array(3_321).fill(Math.ceil(500_000 / 3_321));
    expect(() => planBatchSize(communes, 200)).toThrow(RunTooLargeError);
    expect(() => planBatchSize(communes, 200)).toThrow(/coarser partitions/);
  });
});
