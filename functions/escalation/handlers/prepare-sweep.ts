/** First step of the escalation sweep: the day it judges cases by, and which cases (all open, or one). */
import { z } from 'zod';
import { todayInVietnam } from '../../shared/calendar.ts';
import { defineHandler } from '../../shared/lambda.ts';

export const prepareSweepEventSchema = z.object({
  input: z
    .object({
      /** The day the sweep counts as today (a clock override for demos and tests); default: today in Vietnam. */
      asOf: z.iso.date().optional(),
      /** Evaluate this employer's case only (on demand). */
      employerId: z
        .string()
        .regex(/^[A-Za-z0-9]+$/, 'must be a mã đơn vị')
        .optional(),
    })
    .default({}),
});

export const SWEEP_BATCH_SIZE = 200;

export const handler = defineHandler(prepareSweepEventSchema, async (event) => ({
  asOf: event.input.asOf ?? todayInVietnam(),
  employerId: event.input.employerId ?? null,
  batchSize: SWEEP_BATCH_SIZE,
}));
