/**
 * The schedule of each recurring process: what administrators change without a redeploy. A process is a
 * workflow of the registry that runs on a clock; adding one is a line in SCHEDULED_PROCESSES.
 */
import { z } from 'zod';
import type { WorkflowName } from '../../workflows/registry.ts';
import { InvalidScheduleError, assertTimeZone, normaliseCron } from './cron.ts';

export interface ScheduledProcess {
  workflow: WorkflowName;
  title: { vi: string; en: string };
  /** The schedule it has until an administrator changes it. */
  defaultCron: string;
}

export const SCHEDULED_PROCESSES = {
  'monthly-c12': {
    workflow: 'MonthlyC12Notices',
    title: { vi: 'Thông báo C12-TS hằng tháng', en: 'Monthly C12-TS notices' },
    defaultCron: 'cron(0 6 5 * ? *)',
  },
  'debt-escalation': {
    workflow: 'DebtEscalation',
    title: { vi: 'Đôn đốc nợ hằng ngày', en: 'Daily debt escalation sweep' },
    defaultCron: 'cron(0 7 * * ? *)',
  },
  'agency-review': {
    workflow: 'AgencyReview',
    title: { vi: 'Đánh giá tổ chức dịch vụ thu hằng tháng', en: 'Monthly collection-agency review' },
    defaultCron: 'cron(0 8 3 * ? *)',
  },
  'd08a-due-lists': {
    workflow: 'DueLists',
    title: { vi: 'Danh sách đến hạn đóng D08a-TS hằng tháng', en: 'Monthly D08a-TS due lists' },
    // The 25th: the lists reach the organisations before the month they cover begins.
    defaultCron: 'cron(0 8 25 * ? *)',
  },
} as const satisfies Record<string, ScheduledProcess>;

export type ProcessId = keyof typeof SCHEDULED_PROCESSES;
export const PROCESS_IDS = Object.keys(SCHEDULED_PROCESSES) as ProcessId[];
export const DEFAULT_TIME_ZONE = 'Asia/Ho_Chi_Minh';

export interface ScheduleRecord {
  processId: ProcessId;
  /** EventBridge Scheduler syntax, `cron(0 7 * * ? *)`. */
  cron: string;
  timeZone: string;
  enabled: boolean;
  /** Scheduler may start the run up to this many minutes late (0: exactly on time). */
  flexibleWindowMinutes: number;
  /** Passed to the workflow with every scheduled start (e.g. `{ "period": "2026-11" }`). */
  input: Record<string, unknown>;
  /** Optimistic lock: a change names the version it was made from. 0: never changed (the default). */
  version: number;
  updatedBy: string;
  updatedAt: string;
  reason: string;
}

export class UnknownProcessError extends Error {
  override name = 'UnknownProcessError';
}

export class StaleVersionError extends Error {
  override name = 'StaleVersionError';
}

export function processOf(processId: string): ScheduledProcess & { processId: ProcessId } {
  if (!Object.hasOwn(SCHEDULED_PROCESSES, processId)) {
    throw new UnknownProcessError(`unknown process '${processId}' (one of ${PROCESS_IDS.join(', ')})`);
  }
  return { processId: processId as ProcessId, ...SCHEDULED_PROCESSES[processId as ProcessId] };
}

export function defaultSchedule(processId: ProcessId): ScheduleRecord {
  return {
    processId,
    cron: SCHEDULED_PROCESSES[processId].defaultCron,
    timeZone: DEFAULT_TIME_ZONE,
    enabled: true,
    flexibleWindowMinutes: 0,
    input: {},
    version: 0,
    updatedBy: 'dondoc',
    updatedAt: '1970-01-01T00:00:00.000Z',
    reason: 'mặc định',
  };
}

const checked =
  <T>(check: (value: T) => unknown) =>
  (value: T, context: z.RefinementCtx) => {
    try {
      check(value);
    } catch (error) {
      if (!(error instanceof InvalidScheduleError)) throw error;
      context.addIssue({ code: 'custom', message: error.message });
    }
  };

/** The largest input a schedule passes to its process (JSON characters). */
export const MAX_INPUT_BYTES = 8 * 1024;

/** A change as the API, the page and the CLI send it: only what changes, the version it was made from, why. */
export const scheduleChangeSchema = z
  .object({
    cron: z.string().superRefine(checked(normaliseCron)).transform(normaliseCron).optional(),
    timeZone: z.string().superRefine(checked(assertTimeZone)).optional(),
    enabled: z.boolean().optional(),
    flexibleWindowMinutes: z
      .number({ error: 'must be whole minutes (0 to start on time)' })
      .int('must be whole minutes')
      .min(0, 'must not be negative')
      .max(1440, 'at most 1440 minutes (Scheduler allows a day)')
      .optional(),
    // Small by design (a period, an option): Step Functions takes 256 KB of input and a change's history
    // entry holds the input before and after in one 400 KB item.
    input: z
      .record(z.string(), z.unknown())
      .refine((input) => JSON.stringify(input).length <= MAX_INPUT_BYTES, {
        message: `must be at most ${MAX_INPUT_BYTES / 1024} KB of JSON`,
      })
      .optional(),
    version: z
      .number({ error: 'is required (the version you changed; it stops two changes crossing)' })
      .int()
      .min(0),
    by: z
      .string({ error: 'is required (who changes it)' })
      .trim()
      .min(1, 'is required (who changes it)')
      .max(64),
    reason: z
      .string({ error: 'is required (why it changes)' })
      .trim()
      .min(1, 'is required (why it changes)')
      .max(500),
  })
  .strict();

export type ScheduleChange = z.infer<typeof scheduleChangeSchema>;
