import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it, onTestFinished } from 'vitest';
import { runCli } from '../../../functions/cli/main.ts';
import type { CliIo } from '../../../functions/cli/io.ts';

const EMPLOYEES = [
  { id: 'NV01', insuredWage: 10_000_000, bhtn: true },
  { id: 'NV02', insuredWage: 60_000_000 },
];
const WORKED_REQUEST = {
  employer: { id: 'TS0001A', name: 'Công ty TNHH Thử Nghiệm', region: 'I', reducedAccidentRate: false },
  period: '2026-11',
  payroll: ['2026-08', '2026-09', '2026-10', '2026-11'].map((period) => ({ period, employees: EMPLOYEES })),
  payments: [
    { date: '2026-09-20', amount: 19_580_000, ref: 'UNC-001' },
    { date: '2026-11-10', amount: 19_580_000, ref: 'UNC-002' },
    { date: '2026-11-25', amount: 19_580_000, ref: 'UNC-003' },
  ],
};

function captureIo(stdin = ''): CliIo & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: (text: string) => void (io.out += text),
    stderr: (text: string) => void (io.err += text),
    readStdin: async () => stdin,
  };
  return io;
}

describe('dondoc statement', () => {
  it('prints the worked example statement read from standard input', async () => {
    const io = captureIo(JSON.stringify(WORKED_REQUEST));
    expect(await runCli(['statement', '-'], io)).toBe(0);
    const statement = JSON.parse(io.out);
    expect(statement.employerId).toBe('TS0001A');
    expect(statement.total.interest).toBe(52_866);
    expect(statement.total.carriedForward).toEqual({ owed: 19_580_000, interestOwed: 52_866 });
    expect(Object.keys(statement.funds).sort()).toEqual(['BHTN', 'BHYT', 'HT_TT', 'OD_TS', 'TNLD_BNN']);
    expect(statement.funds.HT_TT).toMatchObject({ interest: 35_996, paidUpTo: '2026-10' });
    expect(statement.credit).toEqual({ broughtForward: 0, carriedForward: 0 });
    expect(statement.payBy).toBe('2026-12-31');
  });

  it.each([
    [
      'an unknown fund',
      { adjustments: [{ date: '2026-10-15', period: '2026-06', fund: 'BHXH', amount: 1 }] },
      'adjustments[0].fund',
    ],
    [
      'a negative wage',
      { payroll: [{ period: '2026-11', employees: [{ id: 'A', insuredWage: -1 }] }] },
      'payroll[0].employees[0].insuredWage',
    ],
    ['an impossible date', { payments: [{ date: '2026-02-30', amount: 1 }] }, 'payments[0].date'],
    ['a fractional amount', { payments: [{ date: '2026-02-03', amount: 1.5 }] }, 'payments[0].amount'],
    [
      'a duplicate period',
      {
        payroll: [
          { period: '2026-11', employees: [] },
          { period: '2026-11', employees: [] },
        ],
      },
      'payroll[1].period',
    ],
    ['a missing employer', { employer: undefined }, 'employer'],
    // Before the earliest rates dondoc holds (2024-07-01): an input error, not a crash half-way.
    [
      'a payroll before the rates begin',
      { payroll: [{ period: '2024-06', employees: [{ id: 'A', insuredWage: 5_000_000 }] }] },
      'payroll[0].period',
    ],
    ['a payment dated year 0026', { payments: [{ date: '0026-11-10', amount: 1 }] }, 'payments[0].date'],
    [
      'an adjustment due in year 0026',
      {
        adjustments: [
          { date: '2026-10-15', period: '2026-06', fund: 'HT_TT', amount: 500_000, dueDate: '0026-11-30' },
        ],
      },
      'adjustments[0].dueDate',
    ],
    [
      'an adjustment of ten trillion VND',
      { adjustments: [{ date: '2026-01-05', period: '2025-12', fund: 'BHYT', amount: 10_000_000_000_000 }] },
      'adjustments[0].amount',
    ],
    [
      'a wage beyond any payroll',
      { payroll: [{ period: '2026-11', employees: [{ id: 'A', insuredWage: Number.MAX_SAFE_INTEGER }] }] },
      'payroll[0].employees[0].insuredWage',
    ],
  ])('rejects %s with exit status 2 naming the field', async (_what, change, field) => {
    const io = captureIo(JSON.stringify({ ...WORKED_REQUEST, ...change }));
    expect(await runCli(['statement', '-'], io)).toBe(2);
    expect(io.err).toContain(`${field}:`);
    expect(io.out).toBe('');
  });

  it('rejects rows within bounds whose interest leaves the exact range with exit status 2, not a crash', async () => {
    const io = captureIo(
      JSON.stringify({
        ...WORKED_REQUEST,
        payments: [],
        adjustments: Array.from({ length: 400 }, () => ({
          date: '2026-01-05',
          period: '2025-12',
          fund: 'BHYT',
          amount: 1_000_000_000_000,
        })),
      }),
    );
    expect(await runCli(['statement', '-'], io)).toBe(2);
    expect(io.err).toContain('amounts too large to compute exactly');
    expect(io.out).toBe('');
  });

  it('accepts the first month the rates cover, and an adjustment late from a due date before its posting', async () => {
    const io = captureIo(
      JSON.stringify({
        ...WORKED_REQUEST,
        period: '2024-08',
        payroll: [{ period: '2024-07', employees: [{ id: 'NV01', insuredWage: 10_000_000 }] }],
        payments: [],
        adjustments: [
          { date: '2024-08-20', period: '2024-07', fund: 'BHYT', amount: 100_000, dueDate: '2024-08-10' },
        ],
      }),
    );
    expect(await runCli(['statement', '-'], io), io.err).toBe(0);
    const statement = JSON.parse(io.out);
    // Past its due date when posted: late from its posting, 08-20 to 08-31, 12 days of 0.03% on 100,000.
    expect(statement.funds.BHYT.interest).toBe(360);
  });

  it('rejects text that is not JSON, a missing file and a missing argument with exit status 2', async () => {
    const notJson = captureIo('{ nope');
    expect(await runCli(['statement', '-'], notJson)).toBe(2);
    expect(notJson.err).toContain('not valid JSON');
    const missing = captureIo();
    expect(await runCli(['statement', '/nonexistent/request.json'], missing)).toBe(2);
    expect(missing.err).toContain('ENOENT');
    const noArgument = captureIo();
    expect(await runCli(['statement'], noArgument)).toBe(2);
    expect(noArgument.err).toContain('usage');
  });

  it('runs as the installed bin from a file (npx dondoc statement FILE)', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'dondoc-cli-'));
    onTestFinished(() => rm(folder, { recursive: true, force: true }));
    const file = join(folder, 'request.json');
    await writeFile(file, JSON.stringify(WORKED_REQUEST));
    const { stdout } = await promisify(execFile)(process.execPath, ['bin/dondoc.mjs', 'statement', file]);
    expect(JSON.parse(stdout).total.interest).toBe(52_866);
    const bad = join(folder, 'bad.json');
    await writeFile(bad, JSON.stringify({ ...WORKED_REQUEST, period: '2026-13' }));
    const failure = await promisify(execFile)(process.execPath, ['bin/dondoc.mjs', 'statement', bad]).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain('period: must be a month YYYY-MM');
  });
});
