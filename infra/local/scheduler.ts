/**
 * The embedded stack's scheduler: what EventBridge Scheduler does in the cloud, from the same schedule
 * records. Every tick it re-reads the records (a change applies at once, no restart) and starts each enabled
 * process whose cron had a run time since the last tick. Paused schedules do not fire.
 *
 * Like Scheduler it does not catch up on runs missed while nothing ran (the machine asleep, npm start
 * stopped): after a gap it starts the latest missed run only, once. Starts are named after the schedule and
 * the run time, so a tick repeated over the same window starts nothing twice. A start that fails is
 * retried on the next ticks, within Scheduler's retry policy, and never stops the other processes' runs.
 * The flexible window is Scheduler's; locally a run starts on time.
 */
import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { WorkflowName } from '../../workflows/registry.ts';
import { previousRun } from '../../functions/schedules/cron.ts';
import { processOf, type ProcessId } from '../../functions/schedules/model.ts';
import type { ScheduleRepository } from '../../functions/schedules/repository.ts';
import { SCHEDULE_RETRY } from '../../functions/schedules/engine.ts';
import { startInput } from '../../functions/schedules/service.ts';

export interface LocalSchedulerOptions {
  repository: ScheduleRepository;
  sfn: SFNClient;
  stateMachineArn(workflow: WorkflowName): string;
  now?: () => Date;
  /** How often it looks at the clock (default 15 s). */
  intervalMs?: number;
  onError?: (error: unknown) => void;
}

export interface FiredRun {
  processId: ProcessId;
  scheduledTime: string;
  executionName: string;
}

export class LocalScheduler {
  private lastTick: Date;
  /** Starts that failed, to try again on the next ticks (one per process: the latest run time only). */
  private readonly retries = new Map<
    ProcessId,
    { scheduledTime: string; attempts: number; version: number }
  >();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private readonly now: () => Date;

  constructor(private readonly options: LocalSchedulerOptions) {
    this.now = options.now ?? (() => new Date());
    this.lastTick = this.now();
  }

  /**
   * Starts every enabled schedule's run due in (last tick, now]; returns what it started. A start that
   * fails is reported and retried on the next ticks, as Scheduler's retry policy does (at most
   * SCHEDULE_RETRY's attempts and age), and never holds up the other processes.
   */
  async tick(): Promise<FiredRun[]> {
    const now = this.now();
    const since = this.lastTick;
    const fired: FiredRun[] = [];
    for (const record of await this.options.repository.list()) {
      let retry = this.retries.get(record.processId);
      // A retry is for the schedule that missed it: paused, or changed since, it is dropped.
      if (retry && (!record.enabled || retry.version !== record.version)) {
        this.retries.delete(record.processId);
        retry = undefined;
      }
      if (!record.enabled) continue;
      // The latest run time in (since, now], if any: no catching up on earlier ones.
      const last = previousRun(record.cron, record.timeZone, new Date(now.getTime() + 1));
      const due = last && last > since ? last.toISOString() : retry?.scheduledTime;
      if (!due) continue;
      const attempts = due === retry?.scheduledTime ? retry.attempts : 0;
      const executionName = `schedule-${record.processId}-${due.replace(/[^0-9]/g, '').slice(0, 12)}`;
      try {
        await this.options.sfn.send(
          new StartExecutionCommand({
            stateMachineArn: this.options.stateMachineArn(processOf(record.processId).workflow),
            name: executionName,
            input: startInput(record, { source: 'schedule', scheduledTime: due }),
          }),
        );
        fired.push({ processId: record.processId, scheduledTime: due, executionName });
        this.retries.delete(record.processId);
      } catch (error) {
        if ((error as Error)?.name === 'ExecutionAlreadyExists') {
          this.retries.delete(record.processId);
          continue;
        }
        const tooOld = now.getTime() - Date.parse(due) > SCHEDULE_RETRY.MaximumEventAgeInSeconds * 1000;
        if (attempts + 1 > SCHEDULE_RETRY.MaximumRetryAttempts || tooOld)
          this.retries.delete(record.processId);
        else
          this.retries.set(record.processId, {
            scheduledTime: due,
            attempts: attempts + 1,
            version: record.version,
          });
        this.options.onError?.(error);
      }
    }
    this.lastTick = now;
    return fired;
  }

  start(): void {
    const interval = this.options.intervalMs ?? 15_000;
    this.timer = setInterval(() => {
      this.running = this.tick().catch((error: unknown) => this.options.onError?.(error));
    }, interval);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
