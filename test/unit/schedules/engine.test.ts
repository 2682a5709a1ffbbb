/**
 * The cloud's schedule engine against a mocked EventBridge Scheduler (no emulator for it runs here): the
 * definition it writes, and the create-when-missing path.
 */
import {
  CreateScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ScheduleEngineMissingError,
  scheduleEngineFromEnv,
  schedulerEngine,
  type SchedulerTarget,
} from '../../../functions/schedules/engine.ts';
import { defaultSchedule } from '../../../functions/schedules/model.ts';
import { InvalidChangeError } from '../../../functions/schedules/service.ts';

const scheduler = mockClient(SchedulerClient);
const target: SchedulerTarget = {
  groupName: 'dondoc',
  roleArn: 'arn:aws:iam::111122223333:role/scheduler',
  deadLetterQueueArn: 'arn:aws:sqs:ap-southeast-1:111122223333:dlq',
  stateMachineArn: (workflow) => `arn:aws:states:ap-southeast-1:111122223333:stateMachine:dondoc-${workflow}`,
};
const paused = {
  ...defaultSchedule('debt-escalation'),
  cron: 'cron(30 6 ? * MON-FRI *)',
  enabled: false,
  flexibleWindowMinutes: 15,
  input: { batchSize: 100 },
  version: 3,
};

beforeEach(() => scheduler.reset());

describe('EventBridge Scheduler engine', () => {
  it('replaces the whole schedule: expression, zone, state, window, target with retries and the DLQ', async () => {
    scheduler.on(UpdateScheduleCommand).resolves({});
    await schedulerEngine(new SchedulerClient({ region: 'ap-southeast-1' }), target).apply(paused);
    const [call] = scheduler.commandCalls(UpdateScheduleCommand);
    expect(call!.args[0].input).toEqual({
      Name: 'dondoc-debt-escalation',
      GroupName: 'dondoc',
      Description: 'Daily debt escalation sweep (dondoc schedule v3)',
      ScheduleExpression: 'cron(30 6 ? * MON-FRI *)',
      ScheduleExpressionTimezone: 'Asia/Ho_Chi_Minh',
      State: 'DISABLED',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 15 },
      Target: {
        Arn: 'arn:aws:states:ap-southeast-1:111122223333:stateMachine:dondoc-DebtEscalation',
        RoleArn: target.roleArn,
        Input: JSON.stringify({
          batchSize: 100,
          source: 'schedule',
          scheduledTime: '<aws.scheduler.scheduled-time>',
        }),
        RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 21_600 },
        DeadLetterConfig: { Arn: target.deadLetterQueueArn },
      },
    });
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
  });

  it('creates the schedule when it is missing (deleted by hand, or a process added since the deploy)', async () => {
    scheduler.on(UpdateScheduleCommand).rejects(
      new ResourceNotFoundException({
        Message: 'Schedule dondoc-debt-escalation does not exist.',
        message: 'Schedule dondoc-debt-escalation does not exist.',
        $metadata: {},
      }),
    );
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:…' });
    await schedulerEngine(new SchedulerClient({ region: 'ap-southeast-1' }), target).apply(paused);
    expect(scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input.Name).toBe(
      'dondoc-debt-escalation',
    );
  });

  it('lets any other failure through, so the change is reported as not applied', async () => {
    scheduler
      .on(UpdateScheduleCommand)
      .rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    await expect(
      schedulerEngine(new SchedulerClient({ region: 'ap-southeast-1', maxAttempts: 1 }), target).apply(
        paused,
      ),
    ).rejects.toThrow('Rate exceeded');
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
  });

  it('turns a schedule Scheduler refuses as invalid into a refused change, with Scheduler’s reason', async () => {
    scheduler.on(UpdateScheduleCommand).rejects(
      new ValidationException({
        Message: 'Invalid Schedule Expression cron(0 7 ? * 8 *).',
        message: 'Invalid Schedule Expression cron(0 7 ? * 8 *).',
        $metadata: {},
      }),
    );
    const refused = schedulerEngine(new SchedulerClient({ region: 'ap-southeast-1' }), target).apply(paused);
    await expect(refused).rejects.toThrow(InvalidChangeError);
    await expect(refused).rejects.toThrow(
      'EventBridge Scheduler refused it: Invalid Schedule Expression cron(0 7 ? * 8 *).',
    );
  });

  it('refuses to change a cloud schedule it cannot apply, rather than record one thing and run another', async () => {
    const saved = { ...process.env };
    try {
      for (const key of ['SCHEDULE_GROUP', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_DYNAMODB'])
        delete process.env[key];
      await expect(scheduleEngineFromEnv().apply(paused)).rejects.toThrow(ScheduleEngineMissingError);
      process.env.SCHEDULE_GROUP = 'dondoc';
      expect(() => scheduleEngineFromEnv()).toThrow(/without SCHEDULER_ROLE_ARN and SCHEDULE_DLQ_ARN/);
      delete process.env.SCHEDULE_GROUP;
      process.env.AWS_ENDPOINT_URL_DYNAMODB = 'http://127.0.0.1:8000';
      await expect(scheduleEngineFromEnv().apply(paused)).resolves.toBeUndefined(); // the local scheduler reads records
    } finally {
      process.env = saved;
    }
  });
});
