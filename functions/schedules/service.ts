/**
 * What administrators do with schedules, whatever the front door (admin API, page, CLI): list and show them
 * with their next run times, change them (validated, optimistically locked, recorded), pause, resume, run a
 * process now, and read its recent runs. The schedule engine applies a change: in the cloud EventBridge
 * Scheduler, on the embedded stack the local scheduler, which reads the records themselves.
 */
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  StartExecutionCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import type { WorkflowName } from '../../workflows/registry.ts';
import { executionArnOf } from '../shared/aws.ts';
import { describeCron, nextRuns } from './cron.ts';
import {
  StaleVersionError,
  processOf,
  scheduleChangeSchema,
  type ProcessId,
  type ScheduleChange,
  type ScheduleRecord,
} from './model.ts';
import type { ScheduleChangeEntry, ScheduleRepository } from './repository.ts';

/** What dondoc puts in an execution name (Step Functions takes more): runs started by anyone stay readable. */
const EXECUTION_NAME = /^[A-Za-z0-9_.@-]+$/;

export class InvalidChangeError extends Error {
  override name = 'InvalidChangeError';
}

/** Puts a schedule record into effect (the cloud's EventBridge Scheduler; nothing to do locally). */
export interface ScheduleEngine {
  apply(record: ScheduleRecord): Promise<void>;
}

export interface ScheduleServiceDeps {
  repository: ScheduleRepository;
  sfn: SFNClient;
  engine: ScheduleEngine;
  /** The state machine of a workflow (STATE_MACHINE_ARN variables in the cloud, the local engine's ARN here). */
  stateMachineArn(workflow: WorkflowName): string;
  now(): Date;
}

export interface ScheduleView extends ScheduleRecord {
  title: { vi: string; en: string };
  workflow: WorkflowName;
  description: { vi: string; en: string };
  /** The next three starts (ISO instants); none while paused. */
  nextRuns: string[];
}

export interface ExecutionView {
  executionArn: string;
  name: string;
  status: string;
  startDate: string;
  stopDate?: string | undefined;
  /** The figures the run ended with (its output's numeric fields), or its error. */
  outcome?: Record<string, number> | undefined;
  error?: string | undefined;
}

/** The workflow's input for a start: the schedule's input, and where the start came from. */
export function startInput(record: ScheduleRecord, source: Record<string, string>): string {
  return JSON.stringify({ ...record.input, ...source });
}

function figures(output: string | undefined): Record<string, number> | undefined {
  if (!output) return undefined;
  try {
    const parsed = JSON.parse(output) as Record<string, unknown>;
    const found: Record<string, number> = {};
    for (const source of [parsed, parsed.totals, parsed.summary]) {
      if (!source || typeof source !== 'object') continue;
      for (const [key, value] of Object.entries(source)) if (typeof value === 'number') found[key] = value;
    }
    return Object.keys(found).length ? found : undefined;
  } catch {
    return undefined;
  }
}

export class ScheduleService {
  constructor(private readonly deps: ScheduleServiceDeps) {}

  view(record: ScheduleRecord): ScheduleView {
    const process = processOf(record.processId);
    return {
      ...record,
      title: process.title,
      workflow: process.workflow,
      description: { vi: describeCron(record.cron, 'vi'), en: describeCron(record.cron, 'en') },
      nextRuns: record.enabled
        ? nextRuns(record.cron, record.timeZone, 3, this.deps.now()).map((d) => d.toISOString())
        : [],
    };
  }

  async list(): Promise<ScheduleView[]> {
    return (await this.deps.repository.list()).map((record) => this.view(record));
  }

  async show(processId: string): Promise<ScheduleView & { history: ScheduleChangeEntry[] }> {
    const { processId: id } = processOf(processId);
    const [record, history] = await Promise.all([
      this.deps.repository.get(id),
      this.deps.repository.history(id),
    ]);
    return { ...this.view(record), history };
  }

  /** Validates the change whole before anything is written; a stale version is refused, nothing changed. */
  async update(processId: string, change: unknown): Promise<ScheduleView> {
    const { processId: id } = processOf(processId);
    const parsed = scheduleChangeSchema.safeParse(change);
    if (!parsed.success) {
      throw new InvalidChangeError(
        parsed.error.issues
          .map((issue) => `${issue.path.join('.') || 'change'}: ${issue.message}`)
          .join('; '),
      );
    }
    return this.apply(id, parsed.data);
  }

  private async apply(processId: ProcessId, change: ScheduleChange): Promise<ScheduleView> {
    const before = await this.deps.repository.get(processId);
    const { version, by, reason, ...fields } = change;
    if (version !== before.version) {
      // The conditional write below catches a change landing in between; this one is the common case.
      throw new StaleVersionError(
        `schedule ${processId} is at version ${before.version}, changed by ${before.updatedBy} at ` +
          `${before.updatedAt}; this change was made from version ${version}: reload and try again`,
      );
    }
    const next: ScheduleRecord = {
      ...before,
      ...Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined)),
      processId,
      version: before.version + 1,
      updatedBy: by,
      updatedAt: this.deps.now().toISOString(),
      reason,
    };
    // The engine first: a change the Scheduler refuses (or cannot be reached for) is not recorded at all.
    // Then the conditional write; if another change won the race meanwhile, the engine is put back to the
    // winner's record, so engine and records never disagree for long.
    await this.deps.engine.apply(next);
    try {
      await this.deps.repository.replace(before, next);
    } catch (error) {
      // Not recorded (a race lost, the store failing): the engine goes back to what the records say, so the
      // schedule that runs is the one the page shows.
      await this.deps.engine.apply(await this.deps.repository.get(processId)).catch(() => undefined);
      throw error;
    }
    return this.view(next);
  }

  pause(processId: string, change: { version: number; by: string; reason: string }): Promise<ScheduleView> {
    return this.update(processId, { ...change, enabled: false });
  }

  resume(processId: string, change: { version: number; by: string; reason: string }): Promise<ScheduleView> {
    return this.update(processId, { ...change, enabled: true });
  }

  /**
   * Starts the process now with its schedule's input. The run is named for who asked and the minute: a
   * second click (or a retried request) within the minute is the same run, returned as already started,
   * not a second one racing the first.
   */
  async runNow(
    processId: string,
    by: string,
  ): Promise<{ executionArn: string; name: string; alreadyStarted: boolean }> {
    const { processId: id, workflow } = processOf(processId);
    if (!EXECUTION_NAME.test(by) || by.length > 64)
      throw new InvalidChangeError('by: is required (who starts it)');
    const record = await this.deps.repository.get(id);
    const minute = `${this.deps.now().toISOString().slice(0, 16)}:00.000Z`;
    const name = `manual-${id}-${minute.replace(/[^0-9]/g, '').slice(0, 12)}-${by}`.slice(0, 80);
    const stateMachineArn = this.deps.stateMachineArn(workflow);
    // Running or finished, this minute's run is the one (StartExecution alone would return a running one
    // as if it had just started it).
    const existing = await this.execution(id, name);
    if (existing) return { executionArn: existing.executionArn, name, alreadyStarted: true };
    try {
      const { executionArn } = await this.deps.sfn.send(
        new StartExecutionCommand({
          stateMachineArn,
          name,
          input: startInput(record, { source: 'admin', requestedBy: by, requestedAt: minute }),
        }),
      );
      return { executionArn: executionArn!, name, alreadyStarted: false };
    } catch (error) {
      // The same name and another input (the schedule's input changed within the minute), or the run has
      // ended already: either way this minute's run exists.
      if ((error as Error)?.name !== 'ExecutionAlreadyExists') throw error;
      return { executionArn: executionArnOf(stateMachineArn, name), name, alreadyStarted: true };
    }
  }

  /** One run of the process, with its whole output (the run's summary). */
  async execution(
    processId: string,
    name: string,
  ): Promise<(ExecutionView & { output?: string }) | undefined> {
    const { workflow } = processOf(processId);
    if (!EXECUTION_NAME.test(name) || name.length > 80) return undefined;
    const executionArn = executionArnOf(this.deps.stateMachineArn(workflow), name);
    try {
      const described = await this.deps.sfn.send(new DescribeExecutionCommand({ executionArn }));
      return {
        executionArn,
        name,
        status: described.status!,
        startDate: described.startDate!.toISOString(),
        stopDate: described.stopDate?.toISOString(),
        outcome: figures(described.output),
        error: described.error ? `${described.error}: ${described.cause ?? ''}`.trim() : undefined,
        ...(described.output ? { output: described.output } : {}),
      };
    } catch (error) {
      if ((error as Error)?.name === 'ExecutionDoesNotExist') return undefined;
      throw error;
    }
  }

  /** The process's latest runs, newest first, with their status and what they ended with. */
  async executions(processId: string, limit = 10): Promise<ExecutionView[]> {
    const { workflow } = processOf(processId);
    const { executions = [] } = await this.deps.sfn.send(
      new ListExecutionsCommand({ stateMachineArn: this.deps.stateMachineArn(workflow), maxResults: limit }),
    );
    return Promise.all(
      executions.slice(0, limit).map(async (item) => {
        const described = await this.deps.sfn.send(
          new DescribeExecutionCommand({ executionArn: item.executionArn }),
        );
        return {
          executionArn: item.executionArn!,
          name: item.name!,
          status: item.status!,
          startDate: item.startDate!.toISOString(),
          stopDate: item.stopDate?.toISOString(),
          outcome: figures(described.output),
          error: described.error ? `${described.error}: ${described.cause ?? ''}`.trim() : undefined,
        };
      }),
    );
  }
}
