/** `dondoc cases ...` in-process against the embedded stack's DynamoDB. */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedLedgerRows } from '../../../functions/c12/ledger.ts';
import { C12Repository } from '../../../functions/c12/repository.ts';
import type { Statement } from '../../../functions/c12/model.ts';
import { runCli } from '../../../functions/cli/main.ts';
import { EscalationRepository } from '../../../functions/escalation/repository.ts';
import { awsClients } from '../../../functions/shared/aws.ts';
import { FREE_PORTS, startLocalStack, type LocalStack } from '../../../infra/local/stack.ts';
import { tempDataDir } from '../../infra/local/helpers.ts';

const data = tempDataDir();
let stack: LocalStack;

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['cases', ...argv], {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    readStdin: async () => '',
  });
  return { code, stdout, stderr };
}

const statement = (employerId: string, overduePrincipal: number) =>
  ({
    employerId,
    period: '2026-10',
    overduePrincipal,
    overdueInterest: 12_345,
    oldestOverdueDueDate: '2026-09-30',
    total: { carriedForward: { owed: overduePrincipal, interestOwed: 12_345 } },
  }) as unknown as Statement;

beforeAll(async () => {
  stack = await startLocalStack({ dataDir: data.dir, ports: FREE_PORTS, resume: false });
  const cases = new C12Repository(awsClients().dynamo);
  await cases.openOrUpdateCase(
    statement('TS0042A', 19_580_000),
    { officerId: 'CB01' },
    '2026-11-05T00:00:00.000Z',
  );
  await cases.openOrUpdateCase(
    statement('TS0043A', 2_000_000),
    { officerId: 'CB02' },
    '2026-11-05T00:00:00.000Z',
  );
  // TS0043A's employer record and an unpaid payroll, for the evaluation on demand.
  const { dynamo } = awsClients();
  await dynamo.send(
    new PutCommand({
      TableName: 'Employers',
      Item: {
        employerId: 'TS0043A',
        name: 'Công ty TNHH Đánh Giá',
        region: 'I',
        partition: 'P1',
        officerId: 'CB02',
      },
    }),
  );
  const payroll = storedLedgerRows('TS0043A', 'P1', {
    type: 'PAYROLL',
    entryKey: 'PAYROLL#2026-08',
    period: '2026-08',
    employees: [{ id: 'NV01', insuredWage: 10_000_000 }],
  });
  for (const row of payroll) await dynamo.send(new PutCommand({ TableName: 'Ledger', Item: row }));
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  data.remove();
});

describe('dondoc cases', () => {
  it('lists open cases, one officer’s or all, as text or JSON', async () => {
    const all = await cli('list');
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('2 hồ sơ OPEN');
    expect(all.stdout).toMatch(/TS0042A\s+OPEN\s+NONE\s+19\.592\.345 đ/);
    const mine = await cli('list', '--officer', 'CB02', '--json');
    expect(JSON.parse(mine.stdout).map((item: { employerId: string }) => item.employerId)).toEqual([
      'TS0043A',
    ]);
  });

  it('pauses with a reason and resumes, each audited with who, why and the channel', async () => {
    const paused = await cli(
      'pause',
      'TS0042A',
      '--reason',
      'DISPUTE',
      '--note',
      'Đơn vị khiếu nại số nợ',
      '--by',
      'CB01',
    );
    expect(paused.code, paused.stderr).toBe(0);
    expect(paused.stdout).toMatch(/TS0042A\s+PAUSED/);
    const again = await cli('pause', 'TS0042A', '--reason', 'DISPUTE', '--by', 'CB01');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('is PAUSED, not OPEN: nothing changed');
    const resumed = await cli('resume', 'TS0042A', '--by', 'CB09', '--note', 'Đã đối chiếu xong');
    expect(resumed.code, resumed.stderr).toBe(0);
    const shown = await cli('show', 'TS0042A', '--json');
    const { case: item, trail } = JSON.parse(shown.stdout);
    expect(item.status).toBe('OPEN');
    expect(item.pauses).toEqual([
      expect.objectContaining({
        reason: 'DISPUTE',
        by: 'CB01',
        note: 'Đơn vị khiếu nại số nợ',
        from: expect.any(String),
        to: expect.any(String),
      }),
    ]);
    expect(trail).toEqual([
      expect.objectContaining({
        what: 'PAUSED',
        who: 'CB01',
        channel: 'CLI',
        why: 'DISPUTE: Đơn vị khiếu nại số nợ',
      }),
      expect.objectContaining({ what: 'RESUMED', who: 'CB09', channel: 'CLI', why: 'Đã đối chiếu xong' }),
    ]);
    const text = await cli('show', 'TS0042A');
    expect(text.stdout).toContain('tạm dừng');
    expect(text.stdout).toContain('Nhật ký (2)');
  });

  it('evaluates one case on demand through the escalation workflow', async () => {
    const result = await cli('evaluate', 'TS0043A', '--as-of', '2026-10-02');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toBe('TS0043A ngày 2026-10-02: chuyển bước\n');
    expect((await new EscalationRepository(awsClients().dynamo).currentCase('TS0043A'))?.stage).toBe(
      'URGING_LETTER',
    );
  });

  it('refuses bad input with a clear message and changes nothing', async () => {
    const repository = new EscalationRepository(awsClients().dynamo);
    const before = await repository.currentCase('TS0043A');
    const trailBefore = await repository.trail(before!.caseId);
    expect(trailBefore.length).toBeGreaterThan(0);
    const cases: [string[], RegExp][] = [
      [
        ['pause', 'TS0043A', '--reason', 'HOLIDAY', '--by', 'CB02'],
        /--reason must be one of FORCE_MAJEURE, DISPUTE, LEGAL_SUSPENSION/,
      ],
      [['pause', 'TS0043A', '--reason', 'DISPUTE'], /--by is required/],
      [['resume', 'TS0043A', '--by', 'CB02'], /is OPEN, not PAUSED: nothing changed/],
      [['pause', 'TS9999Z', '--reason', 'DISPUTE', '--by', 'CB02'], /no debt case for employer TS9999Z/],
      [['show', 'TS0043A; rm -rf /'], /is not a mã đơn vị/],
      [['show'], /one EMPLOYER_ID/],
      [['list', '--status', 'DONE'], /--status must be one of OPEN, PAUSED, CLOSED/],
      [['list', '--reason', 'DISPUTE'], /--reason does not go with 'list'/],
      [['list', '--color'], /Unknown option '--color'/],
      [['archive', 'TS0043A'], /unknown cases command 'archive'/],
      [['evaluate', 'TS0043A', '--as-of', '2026-13-45'], /--as-of must be a date YYYY-MM-DD/],
      [['evaluate', 'TS9999Z'], /no debt case for employer TS9999Z/],
    ];
    for (const [argv, message] of cases) {
      const result = await cli(...argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    expect(await repository.currentCase('TS0043A')).toEqual(before);
    expect(await repository.trail(before!.caseId)).toEqual(trailBefore);
  });
});
