/**
 * Where a schedule change takes effect. In the cloud: EventBridge Scheduler, one schedule per process in
 * dondoc's schedule group, targeting the process's state machine with retries and the dead-letter queue.
 * On the embedded stack the local scheduler reads the records on every tick, so a stored change is in
 * effect already.
 */
import {
  CreateScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  ValidationException,
  type CreateScheduleCommandInput,
} from '@aws-sdk/client-scheduler';
import type { WorkflowName } from '../../workflows/registry.ts';
import { processOf, type ProcessId, type ScheduleRecord } from './model.ts';
import { awsClients } from '../shared/aws.ts';
import { ScheduleRepository } from './repository.ts';
import { InvalidChangeError, ScheduleService, startInput, type ScheduleEngine } from './service.ts';

export const localScheduleEngine: ScheduleEngine = { apply: async () => undefined };

export interface SchedulerTarget {
  groupName: string;
  /** The role EventBridge Scheduler assumes to start executions. */
  roleArn: string;
  deadLetterQueueArn: string;
  stateMachineArn(workflow: WorkflowName): string;
}

/** The Scheduler schedule's name for a process (the CDK app creates them under the same names). */
export const scheduleName = (processId: ProcessId) => `dondoc-${processId}`;

/** A retried start within six hours falls on the same day: the workflows' first steps settle "today". */
export const SCHEDULE_RETRY = { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 6 * 3600 };

/** The whole Scheduler definition of a record (UpdateSchedule replaces every field). */
export function schedulerDefinition(
  record: ScheduleRecord,
  target: SchedulerTarget,
): CreateScheduleCommandInput {
  return {
    Name: scheduleName(record.processId),
    GroupName: target.groupName,
    Description: `${processOf(record.processId).title.en} (dondoc schedule v${record.version})`,
    ScheduleExpression: record.cron,
    ScheduleExpressionTimezone: record.timeZone,
    State: record.enabled ? 'ENABLED' : 'DISABLED',
    FlexibleTimeWindow:
      record.flexibleWindowMinutes > 0
        ? { Mode: 'FLEXIBLE', MaximumWindowInMinutes: record.flexibleWindowMinutes }
        : { Mode: 'OFF' },
    Target: {
      Arn: target.stateMachineArn(processOf(record.processId).workflow),
      RoleArn: target.roleArn,
      Input: startInput(record, { source: 'schedule', scheduledTime: '<aws.scheduler.scheduled-time>' }),
      RetryPolicy: SCHEDULE_RETRY,
      DeadLetterConfig: { Arn: target.deadLetterQueueArn },
    },
  };
}

export function schedulerEngine(client: SchedulerClient, target: SchedulerTarget): ScheduleEngine {
  return {
    async apply(record) {
      const definition = schedulerDefinition(record, target);
      try {
        try {
          await client.send(new UpdateScheduleCommand(definition));
        } catch (error) {
          if (!(error instanceof ResourceNotFoundException)) throw error;
          await client.send(new CreateScheduleCommand(definition));
        }
      } catch (error) {
        // Scheduler refused the schedule itself (an expression it does not take): the change is the
        // administrator's to correct, not an outage.
        if (error instanceof ValidationException)
          throw new InvalidChangeError(`EventBridge Scheduler refused it: ${error.message}`);
        throw error;
      }
    },
  };
}

export class ScheduleEngineMissingError extends Error {
  override name = 'ScheduleEngineMissingError';
}

/**
 * EventBridge Scheduler when the CDK app configured it (SCHEDULE_GROUP and its target); the local scheduler
 * on the embedded stack (its endpoints set). Against real AWS without the Scheduler settings a change is
 * refused: recorded but not applied, it would say one thing and run another.
 */
export function scheduleEngineFromEnv(): ScheduleEngine {
  const groupName = process.env.SCHEDULE_GROUP;
  if (!groupName) {
    if (process.env.AWS_ENDPOINT_URL_DYNAMODB || process.env.AWS_ENDPOINT_URL) return localScheduleEngine;
    return {
      apply: () =>
        Promise.reject(
          new ScheduleEngineMissingError(
            'no schedule engine: set SCHEDULE_GROUP, SCHEDULER_ROLE_ARN and SCHEDULE_DLQ_ARN (the deployed ' +
              "workflows stack's values) to change the cloud's schedules, or use the admin API",
          ),
        ),
    };
  }
  const roleArn = process.env.SCHEDULER_ROLE_ARN;
  const deadLetterQueueArn = process.env.SCHEDULE_DLQ_ARN;
  if (!roleArn || !deadLetterQueueArn) {
    throw new Error('SCHEDULE_GROUP is set without SCHEDULER_ROLE_ARN and SCHEDULE_DLQ_ARN');
  }
  return schedulerEngine(new SchedulerClient({}), {
    groupName,
    roleArn,
    deadLetterQueueArn,
    stateMachineArn: stateMachineArnFromEnv,
  });
}

/** A workflow's state machine: `<WORKFLOW>_STATE_MACHINE_ARN` as the CDK sets it, else the embedded stack's. */
export function stateMachineArnFromEnv(workflow: WorkflowName): string {
  const variable = `${workflow.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase()}_STATE_MACHINE_ARN`;
  return (
    process.env[variable] ?? `arn:aws:states:ap-southeast-1:000000000000:stateMachine:dondoc-${workflow}`
  );
}

/** Local time for people: `2026-12-02 07:00` in the schedule's zone. */
export function localTime(iso: string, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(iso));
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')}`;
}

/** The schedule service as the CLI and the admin handler use it, wired from the environment. */
export function scheduleServiceFromEnv(): ScheduleService {
  const { dynamo, sfn } = awsClients();
  return new ScheduleService({
    repository: new ScheduleRepository(dynamo),
    sfn,
    engine: scheduleEngineFromEnv(),
    stateMachineArn: stateMachineArnFromEnv,
    now: () => new Date(),
  });
}
