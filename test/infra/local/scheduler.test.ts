/**
 * The local scheduler's error path, against a mocked Step Functions client: one process whose start keeps
 * failing must not stop the others, and is retried on later ticks within the cloud's retry policy.
 */
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { defaultSchedule } from '../../../functions/schedules/model.ts';
import type { ScheduleRepository } from '../../../functions/schedules/repository.ts';
import { LocalScheduler } from '../../../infra/local/scheduler.ts';

const sfn = mockClient(SFNClient);
beforeEach(() => sfn.reset());

// Both due at 01:00 UTC (08:00 in Vietnam) on 3 February 2027.
const records = [
  { ...defaultSchedule('debt-escalation'), cron: 'cron(0 8 * * ? *)' },
  { ...defaultSchedule('agency-review'), cron: 'cron(0 8 3 * ? *)' },
];
const repository = { list: async () => records } as unknown as ScheduleRepository;

/** Step Functions refusing the starts `fails` picks (by state machine or name), accepting the others. */
function startsFailing(fails: (input: { stateMachineArn: string; name: string }) => boolean, name: string) {
  sfn.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string }) => {
    if (fails(input)) throw Object.assign(new Error(name), { name });
    return { executionArn: `arn:execution:${input.name}` };
  });
}

function scheduler(clock: { now: Date }, errors: unknown[]) {
  return new LocalScheduler({
    repository,
    sfn: new SFNClient({ region: 'ap-southeast-1' }),
    stateMachineArn: (workflow) => `arn:aws:states:ap-southeast-1:000000000000:stateMachine:${workflow}`,
    now: () => clock.now,
    onError: (error) => errors.push(error),
  });
}

describe('a start that fails', () => {
  it('is reported and retried, and the other processes still start', async () => {
    let failures = 2;
    startsFailing(
      (input) => input.stateMachineArn.endsWith(':DebtEscalation') && failures-- > 0,
      'InvalidExecutionInput',
    );
    const clock = { now: new Date('2027-02-03T00:59:00Z') };
    const errors: unknown[] = [];
    const local = scheduler(clock, errors);
    clock.now = new Date('2027-02-03T01:00:05Z');
    expect((await local.tick()).map((run) => run.processId)).toEqual(['agency-review']);
    expect(errors.map((error) => (error as Error).name)).toEqual(['InvalidExecutionInput']);
    clock.now = new Date('2027-02-03T01:00:20Z');
    expect(await local.tick()).toEqual([]);
    clock.now = new Date('2027-02-03T01:00:35Z');
    // The third attempt goes through, for the 08:00 run it missed, under the same name.
    expect(await local.tick()).toEqual([
      {
        processId: 'debt-escalation',
        scheduledTime: '2027-02-03T01:00:00.000Z',
        executionName: 'schedule-debt-escalation-202702030100',
      },
    ]);
    expect(errors).toHaveLength(2);
    clock.now = new Date('2027-02-03T01:00:50Z');
    expect(await local.tick()).toEqual([]);
  });

  it('drops a pending retry when the schedule changes meanwhile: the new schedule alone fires', async () => {
    startsFailing((input) => input.name === 'schedule-debt-escalation-202702030100', 'ThrottlingException');
    const clock = { now: new Date('2027-02-03T00:59:00Z') };
    const errors: unknown[] = [];
    const local = scheduler(clock, errors);
    clock.now = new Date('2027-02-03T01:00:05Z');
    await local.tick();
    expect(errors).toHaveLength(1);
    // An administrator moves the sweep to 08:30 before the retry.
    const moved = records[0]!;
    records[0] = { ...moved, cron: 'cron(30 8 * * ? *)', version: moved.version + 1 };
    try {
      clock.now = new Date('2027-02-03T01:00:20Z');
      expect(await local.tick()).toEqual([]);
      clock.now = new Date('2027-02-03T01:30:05Z');
      expect((await local.tick()).map((run) => run.executionName)).toEqual([
        'schedule-debt-escalation-202702030130',
      ]);
    } finally {
      records[0] = moved;
    }
    expect(errors).toHaveLength(1);
  });

  it('gives up after the retry policy’s attempts, and fires again at the next run time', async () => {
    startsFailing((input) => input.stateMachineArn.endsWith(':DebtEscalation'), 'InvalidExecutionInput');
    const clock = { now: new Date('2027-02-03T00:59:00Z') };
    const errors: unknown[] = [];
    const local = scheduler(clock, errors);
    for (let tick = 1; tick <= 15; tick++) {
      clock.now = new Date(Date.parse('2027-02-03T01:00:00Z') + tick * 15_000);
      await local.tick();
    }
    // The first attempt and ten retries, then nothing more for that run.
    expect(errors).toHaveLength(11);
    clock.now = new Date('2027-02-04T01:00:05Z');
    await local.tick();
    expect(errors).toHaveLength(12);
    const names = sfn
      .commandCalls(StartExecutionCommand)
      .map((call) => call.args[0].input.name)
      .filter((name) => name!.startsWith('schedule-debt-escalation'));
    expect(new Set(names)).toEqual(
      new Set(['schedule-debt-escalation-202702030100', 'schedule-debt-escalation-202702040100']),
    );
  });
});
