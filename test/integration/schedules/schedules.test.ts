/**
 * Schedules on the embedded stack: changes through the CLI (validated, versioned, recorded), the local
 * scheduler firing from the records on a fake clock, run now and the recent runs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../functions/cli/main.ts';
import { stateMachineArnFromEnv } from '../../../functions/schedules/engine.ts';
import { ScheduleRepository } from '../../../functions/schedules/repository.ts';
import { ScheduleService } from '../../../functions/schedules/service.ts';
import { awsClients } from '../../../functions/shared/aws.ts';
import { LocalScheduler } from '../../../infra/local/scheduler.ts';
import { FREE_PORTS, startLocalStack, type LocalStack } from '../../../infra/local/stack.ts';
import { tempDataDir, until } from '../../infra/local/helpers.ts';

const data = tempDataDir();
let stack: LocalStack;

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['schedules', ...argv], {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    readStdin: async () => '',
  });
  return { code, stdout, stderr };
}

const repository = () => new ScheduleRepository(awsClients().dynamo);

beforeAll(async () => {
  stack = await startLocalStack({ dataDir: data.dir, ports: FREE_PORTS, resume: false });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  data.remove();
});

describe('dondoc schedules', () => {
  it('lists every process on its default, with the next three runs in local time', async () => {
    const listed = await cli('list', '--json');
    expect(listed.code, listed.stderr).toBe(0);
    const views = JSON.parse(listed.stdout) as {
      processId: string;
      cron: string;
      version: number;
      nextRuns: string[];
    }[];
    expect(views.map((v) => [v.processId, v.cron, v.version])).toEqual([
      ['monthly-c12', 'cron(0 6 5 * ? *)', 0],
      ['debt-escalation', 'cron(0 7 * * ? *)', 0],
      ['agency-review', 'cron(0 8 3 * ? *)', 0],
      ['d08a-due-lists', 'cron(0 8 25 * ? *)', 0],
    ]);
    expect(views[1]!.nextRuns).toHaveLength(3);
    const text = await cli('list');
    expect(text.stdout).toMatch(/debt-escalation +đang chạy +cron\(0 7 \* \* \? \*\) +Asia\/Ho_Chi_Minh +v0/);
    expect(text.stdout).toMatch(/Đôn đốc nợ hằng ngày: Vào 07:00\n {2}lần chạy tới: \d{4}-\d\d-\d\d 07:00, /);
  });

  it('refuses an invalid cron, an unknown process, a stale version and a change without a reason; nothing changes', async () => {
    const refusals: [string[], RegExp][] = [
      [
        ['set', 'debt-escalation', '--cron', '0 7 * * *', '--version', '0', '--by', 'QT01', '--reason', 'x'],
        /cron: a cron expression has six fields/,
      ],
      [
        [
          'set',
          'debt-escalation',
          '--cron',
          '0 7 * * * *',
          '--version',
          '0',
          '--by',
          'QT01',
          '--reason',
          'x',
        ],
        /exactly one of day-of-month and day-of-week/,
      ],
      [
        [
          'set',
          'debt-escalation',
          '--time-zone',
          'Mars/Olympus',
          '--version',
          '0',
          '--by',
          'QT01',
          '--reason',
          'x',
        ],
        /timeZone: unknown time zone/,
      ],
      [
        ['set', 'debt-escalation', '--window', '2000', '--version', '0', '--by', 'QT01', '--reason', 'x'],
        /flexibleWindowMinutes: at most 1440/,
      ],
      [
        ['set', 'debt-escalation', '--input', '[1]', '--version', '0', '--by', 'QT01', '--reason', 'x'],
        /--input must be a JSON object/,
      ],
      [
        ['set', 'weekly-report', '--version', '0', '--by', 'QT01', '--reason', 'x'],
        /unknown process 'weekly-report' \(one of monthly-c12, debt-escalation, agency-review, d08a-due-lists\)/,
      ],
      [
        [
          'set',
          'debt-escalation',
          '--cron',
          '0 8 * * ? *',
          '--version',
          '3',
          '--by',
          'QT01',
          '--reason',
          'x',
        ],
        /is at version 0, .*made from version 3: reload and try again/,
      ],
      [
        ['set', 'debt-escalation', '--cron', '0 8 * * ? *', '--by', 'QT01', '--reason', 'x'],
        /version: is required/,
      ],
      [['pause', 'debt-escalation', '--version', '0', '--by', 'QT01'], /reason: is required/],
      [
        ['pause', 'debt-escalation', '--version', 'one', '--by', 'QT01', '--reason', 'x'],
        /--version must be a whole number/,
      ],
      [['list', '--cron', '0 7 * * ? *'], /--cron does not go with 'list'/],
      [['run-now', 'debt-escalation'], /by: is required/],
      [['delete', 'debt-escalation'], /usage:/],
    ];
    for (const [argv, reason] of refusals) {
      const result = await cli(...argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr, argv.join(' ')).toMatch(reason);
    }
    expect((await repository().get('debt-escalation')).version).toBe(0);
    expect(await repository().history('debt-escalation')).toEqual([]);
  });

  it('changes a schedule, records who, why and what it was, and refuses the same change made from the old version', async () => {
    const changed = await cli(
      'set',
      'debt-escalation',
      '--cron',
      'cron(30 6 ? * MON-FRI *)',
      '--version',
      '0',
      '--by',
      'QT01',
      '--reason',
      'chỉ ngày làm việc',
    );
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.stdout).toContain('v1');
    expect(changed.stdout).toContain('Vào 06:30, Thứ 2 đến Thứ 6');
    const crossing = await cli(
      'set',
      'debt-escalation',
      '--cron',
      'cron(0 9 * * ? *)',
      '--version',
      '0',
      '--by',
      'QT02',
      '--reason',
      'khác',
    );
    expect(crossing.code).toBe(2);
    expect(crossing.stderr).toMatch(/is at version 1, changed by QT01/);
    const shown = JSON.parse((await cli('show', 'debt-escalation', '--json')).stdout) as {
      cron: string;
      history: { version: number; by: string; reason: string; before: { cron: string } }[];
    };
    expect(shown.cron).toBe('cron(30 6 ? * MON-FRI *)');
    expect(shown.history).toEqual([
      expect.objectContaining({
        version: 1,
        by: 'QT01',
        reason: 'chỉ ngày làm việc',
        before: expect.objectContaining({ cron: 'cron(0 7 * * ? *)' }),
      }),
    ]);
  });

  it('fires from the records on a fake clock: a paused schedule does not fire, a resumed one does', async () => {
    let now = new Date('2027-01-04T23:29:00Z'); // Tuesday 05 January 2027, 06:29 in Vietnam
    const scheduler = new LocalScheduler({
      repository: repository(),
      sfn: awsClients().sfn,
      stateMachineArn: stateMachineArnFromEnv,
      now: () => now,
    });
    expect(await scheduler.tick()).toEqual([]);
    now = new Date('2027-01-04T23:31:00Z'); // 06:31: the 06:30 run is due
    expect(await scheduler.tick()).toEqual([
      {
        processId: 'debt-escalation',
        scheduledTime: '2027-01-04T23:30:00.000Z',
        executionName: 'schedule-debt-escalation-202701042330',
      },
    ]);
    expect(await scheduler.tick()).toEqual([]); // the same window twice: nothing more

    expect(
      (await cli('pause', 'debt-escalation', '--version', '1', '--by', 'QT01', '--reason', 'bảo trì')).code,
    ).toBe(0);
    now = new Date('2027-01-05T23:31:00Z'); // the next working day's run time has passed
    expect(await scheduler.tick()).toEqual([]);
    expect((await cli('list')).stdout).toMatch(/debt-escalation +tạm dừng[\s\S]*lần chạy tới: \(tạm dừng\)/);

    expect(
      (await cli('resume', 'debt-escalation', '--version', '2', '--by', 'QT01', '--reason', 'xong')).code,
    ).toBe(0);
    now = new Date('2027-01-06T23:31:00Z');
    expect((await scheduler.tick()).map((run) => run.scheduledTime)).toEqual(['2027-01-06T23:30:00.000Z']);
  });

  it('runs a process now and reports the run with its status and figures', async () => {
    const started = await cli('run-now', 'debt-escalation', '--by', 'QT01');
    expect(started.code, started.stderr).toBe(0);
    const name = /đã bắt đầu (\S+)/.exec(started.stdout)![1]!;
    expect(name).toMatch(/^manual-debt-escalation-\d{12}-QT01$/);
    const run = await until(async () => {
      const runs = JSON.parse((await cli('runs', 'debt-escalation', '--json')).stdout) as {
        name: string;
        status: string;
        outcome?: Record<string, number>;
      }[];
      const mine = runs.find((r) => r.name === name);
      return mine?.status === 'SUCCEEDED' ? mine : undefined;
    });
    expect(run.outcome).toMatchObject({ evaluated: 0 });
    expect((await cli('runs', 'debt-escalation')).stdout).toMatch(
      new RegExp(`SUCCEEDED +${name} +evaluated 0`),
    );
  }, 30_000);

  it('starts one run for two clicks within a minute, and a run started by an SSO user can be opened', async () => {
    let now = new Date('2027-02-01T01:02:03.400Z');
    const service = new ScheduleService({
      repository: repository(),
      sfn: awsClients().sfn,
      engine: { apply: async () => undefined },
      stateMachineArn: stateMachineArnFromEnv,
      now: () => now,
    });
    const first = await service.runNow('debt-escalation', 'alice@bhxh.gov.vn');
    expect(first).toMatchObject({
      name: 'manual-debt-escalation-202702010102-alice@bhxh.gov.vn',
      alreadyStarted: false,
    });
    now = new Date('2027-02-01T01:02:59.900Z');
    expect(await service.runNow('debt-escalation', 'alice@bhxh.gov.vn')).toEqual({
      ...first,
      alreadyStarted: true,
    });
    const run = await until(async () => {
      const found = await service.execution('debt-escalation', first.name);
      return found?.status === 'SUCCEEDED' ? found : undefined;
    });
    expect(run.executionArn).toBe(first.executionArn);
    // Finished, the same minute's run is still the one returned, not a second run.
    expect(await service.runNow('debt-escalation', 'alice@bhxh.gov.vn')).toMatchObject({
      name: first.name,
      alreadyStarted: true,
    });
    const runs = await service.executions('debt-escalation');
    expect(runs.filter((r) => r.name.startsWith('manual-debt-escalation-202702010102'))).toHaveLength(1);
    // The next minute is a new run.
    now = new Date('2027-02-01T01:03:00.000Z');
    expect(await service.runNow('debt-escalation', 'alice@bhxh.gov.vn')).toMatchObject({
      name: 'manual-debt-escalation-202702010103-alice@bhxh.gov.vn',
      alreadyStarted: false,
    });
  }, 30_000);

  it('records nothing when the schedule engine refuses the change (the cloud Scheduler down or saying no)', async () => {
    const before = await repository().get('monthly-c12');
    const service = new ScheduleService({
      repository: repository(),
      sfn: awsClients().sfn,
      engine: { apply: async () => Promise.reject(new Error('ServiceUnavailable: Scheduler')) },
      stateMachineArn: stateMachineArnFromEnv,
      now: () => new Date(),
    });
    await expect(
      service.update('monthly-c12', {
        cron: 'cron(0 6 6 * ? *)',
        version: before.version,
        by: 'QT01',
        reason: 'x',
      }),
    ).rejects.toThrow('ServiceUnavailable');
    expect(await repository().get('monthly-c12')).toEqual(before);
    expect(await repository().history('monthly-c12')).toEqual([]);
  });
});
