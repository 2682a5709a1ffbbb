/**
 * The embedded stack's scheduler: what EventBridge Scheduler does in the cloud, from the same schedule
 * records. Every tick it re-reads the records (a change applies at once, no restart) and starts each enabled
 * process whose cron had a run time since the last tick. Paused schedules do not fire.
 *
 * Like Scheduler it does not catch up on runs missed while nothing ran (the machine asleep, npm start
 * stopped): after a gap it starts the latest missed run only, once. Starts are named after the schedule and
 * the run time, so a tick repeated over the same window starts nothing twice. The flexible window is
 * Scheduler's; locally a run starts on time.
 */
import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { WorkflowName } from '../../workflows/registry.ts';
import { previousRun } from '../../functions/schedules/cron.ts';
import { processOf, type ProcessId } from '../../functions/schedules/model.ts';
import type { ScheduleRepository } from '../../functions/schedules/repository.ts';
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
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private readonly now: () => Date;

  constructor(private readonly options: LocalSchedulerOptions) {
    this.now = options.now ?? (() => new Date());
    this.lastTick = this.now();
  }

  /** Starts every enabled schedule's run due in (last tick, now]; returns what it started. */
  async tick(): Promise<FiredRun[]> {
    const now = this.now();
    const since = this.lastTick;
    const fired: FiredRun[] = [];
    for (const record of await this.options.repository.list()) {
      if (!record.enabled) continue;
      // The latest run time in (since, now], if any: no catching up on earlier ones.
      const last = previousRun(record.cron, record.timeZone, new Date(now.getTime() + 1));
      if (!last || last <= since) continue;
      const scheduledTime = last.toISOString();
      const executionName = `schedule-${record.processId}-${scheduledTime.replace(/[^0-9]/g, '').slice(0, 12)}`;
      try {
        await this.options.sfn.send(
          new StartExecutionCommand({
            stateMachineArn: this.options.stateMachineArn(processOf(record.processId).workflow),
            name: executionName,
            input: startInput(record, { source: 'schedule', scheduledTime }),
          }),
        );
        fired.push({ processId: record.processId, scheduledTime, executionName });
      } catch (error) {
        if ((error as Error)?.name !== 'ExecutionAlreadyExists') throw error;
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
