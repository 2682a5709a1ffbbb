/**
 * `dondoc policy ...` in-process against the embedded stack: a published version applies to cases opened
 * from its effective date, through the real escalation workflow; a case opened before keeps its version.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedLedgerRows } from '../../../functions/c12/ledger.ts';
import type { Statement } from '../../../functions/c12/model.ts';
import { C12Repository } from '../../../functions/c12/repository.ts';
import { runCli } from '../../../functions/cli/main.ts';
import { forgetPolicyCache } from '../../../functions/escalation/policy-store.ts';
import { DEFAULT_ESCALATION_POLICY, type EscalationPolicy } from '../../../functions/escalation/policy.ts';
import { EscalationRepository } from '../../../functions/escalation/repository.ts';
import { awsClients } from '../../../functions/shared/aws.ts';
import { FREE_PORTS, startLocalStack, type LocalStack } from '../../../infra/local/stack.ts';
import { tempDataDir } from '../../infra/local/helpers.ts';

const data = tempDataDir();
let stack: LocalStack;

async function cli(argv: string[], stdin = '') {
  let stdout = '';
  let stderr = '';
  const code = await runCli(argv, {
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    readStdin: async () => stdin,
  });
  return { code, stdout, stderr };
}

const statement = (employerId: string) =>
  ({
    employerId,
    period: '2026-11',
    overduePrincipal: 2_000_000,
    overdueInterest: 0,
    oldestOverdueDueDate: '2026-12-31',
    total: { carriedForward: { owed: 2_000_000, interestOwed: 0 } },
  }) as unknown as Statement;

/** The default ladder with the urging letter moved to 20 days late (the reminder alone before that). */
const laterLetter: EscalationPolicy = {
  ...DEFAULT_ESCALATION_POLICY,
  version: '2027-01-thu-muon',
  effectiveFrom: '2027-01-01',
  stages: DEFAULT_ESCALATION_POLICY.stages.map((stage) =>
    stage.stage === 'URGING_LETTER' ? { ...stage, minDaysLate: 20, daysOfMonth: undefined } : stage,
  ),
};

beforeAll(async () => {
  stack = await startLocalStack({ dataDir: data.dir, ports: FREE_PORTS, resume: false });
  const { dynamo } = awsClients();
  for (const employerId of ['TS0050A', 'TS0051A']) {
    await dynamo.send(
      new PutCommand({
        TableName: 'Employers',
        Item: { employerId, name: `Công ty ${employerId}`, region: 'I', partition: 'P1', officerId: 'CB01' },
      }),
    );
    const payroll = storedLedgerRows(employerId, 'P1', {
      type: 'PAYROLL',
      entryKey: 'PAYROLL#2026-11',
      period: '2026-11',
      employees: [{ id: 'NV01', insuredWage: 10_000_000 }],
    });
    for (const row of payroll) await dynamo.send(new PutCommand({ TableName: 'Ledger', Item: row }));
  }
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  data.remove();
});

describe('dondoc policy', () => {
  it('lists the built-in version and shows it as an editable document', async () => {
    const list = await cli(['policy', 'list']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout).toMatch(/^\* 2026-07-01 +từ 2025-07-01 +\(built in\)/);
    const shown = await cli(['policy', 'show']);
    expect(JSON.parse(shown.stdout)).toEqual(JSON.parse(JSON.stringify(DEFAULT_ESCALATION_POLICY)));
  });

  it('refuses a bad version with the reason and writes nothing', async () => {
    const valid = JSON.stringify(laterLetter);
    const swapped = {
      ...laterLetter,
      stages: [laterLetter.stages[1], laterLetter.stages[0], ...laterLetter.stages.slice(2)],
    };
    const refusals: [string[], string, RegExp][] = [
      [['policy', 'publish', '-'], valid, /--by is required/],
      [['policy', 'publish', '-', '--by', 'QT01'], '{"version":', /standard input is not valid JSON/],
      [
        ['policy', 'publish', '/nonexistent/p.json', '--by', 'QT01'],
        '',
        /cannot read \/nonexistent\/p.json: ENOENT/,
      ],
      [['policy', 'publish', '-', '--by', 'QT01'], JSON.stringify(swapped), /must list every stage once/],
      [
        ['policy', 'publish', '-', '--by', 'QT01'],
        // One person instead of the officer and a director: who approves is not a threshold.
        JSON.stringify({
          ...laterLetter,
          stages: laterLetter.stages.map((rule) =>
            rule.stage === 'CRIMINAL_REFERRAL' ? { ...rule, approvers: ['OFFICER'] } : rule,
          ),
        }),
        /stages\[6\]\.approvers: CRIMINAL_REFERRAL is decided by OFFICER \+ DIRECTOR; a policy version may change thresholds, not who approves/,
      ],
      [
        ['policy', 'publish', '-', '--by', 'QT01'],
        JSON.stringify({
          ...laterLetter,
          stages: laterLetter.stages.map((rule) =>
            rule.stage === 'URGING_LETTER' ? { ...rule, approvers: ['OFFICER'] } : rule,
          ),
        }),
        /URGING_LETTER is decided by no one \(automatic\)/,
      ],
      [
        ['policy', 'publish', '-', '--by', 'QT01'],
        JSON.stringify({ ...laterLetter, approvalWorkingDays: 0 }),
        /approvalWorkingDays: at least one working day/,
      ],
      [
        ['policy', 'publish', '-', '--by', 'QT01'],
        JSON.stringify({ ...laterLetter, effectiveFrom: '2026-01-01' }),
        /effectiveFrom 2026-01-01 must be after today/,
      ],
      [
        ['policy', 'publish', '-', '--by', 'QT01'],
        JSON.stringify({
          ...laterLetter,
          version: DEFAULT_ESCALATION_POLICY.version,
          effectiveFrom: '2099-01-01',
        }),
        /exists already; versions are immutable/,
      ],
      [['policy', 'show', 'no-such'], '', /version no-such is not published/],
      [['policy', 'list', '--by', 'QT01'], '', /--by does not go with 'list'/],
      [['policy', 'retire'], '', /usage:/],
    ];
    for (const [argv, stdin, message] of refusals) {
      const result = await cli(argv, stdin);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr).toMatch(message);
    }
    forgetPolicyCache();
    const list = await cli(['policy', 'list', '--json']);
    expect(JSON.parse(list.stdout)).toHaveLength(1);
  });

  it('applies a published version to cases opened from its date; an older case keeps its own', async () => {
    const published = await cli(
      ['policy', 'publish', '-', '--by', 'QT01', '--note', 'thư đôn đốc từ ngày 20'],
      JSON.stringify(laterLetter),
    );
    expect(published.code, published.stderr).toBe(0);
    expect(published.stdout).toContain('đã công bố phiên bản 2027-01-thu-muon');
    const again = await cli(['policy', 'publish', '-', '--by', 'QT01'], JSON.stringify(laterLetter));
    expect(again.stderr).toMatch(/must be after 2027-01-01, when version 2027-01-thu-muon took effect/);

    const c12 = new C12Repository(awsClients().dynamo);
    await c12.openOrUpdateCase(statement('TS0050A'), { officerId: 'CB01' }, '2026-11-05T00:00:00.000Z');
    await c12.openOrUpdateCase(statement('TS0051A'), { officerId: 'CB01' }, '2027-01-02T00:00:00.000Z');
    const cases = new EscalationRepository(awsClients().dynamo);
    expect((await cases.currentCase('TS0050A'))?.policyVersion).toBe('2026-07-01');
    expect((await cases.currentCase('TS0051A'))?.policyVersion).toBe('2027-01-thu-muon');

    // Five days past the 2026-11 deadline (31 December), inside the first ten days of the month.
    for (const employerId of ['TS0050A', 'TS0051A']) {
      const result = await cli(['cases', 'evaluate', employerId, '--as-of', '2027-01-05']);
      expect(result.code, result.stderr).toBe(0);
    }
    expect((await cases.currentCase('TS0050A'))?.stage).toBe('URGING_LETTER');
    expect((await cases.currentCase('TS0051A'))?.stage).toBe('REMINDER');

    const list = await cli(['policy', 'list']);
    expect(list.stdout).toMatch(/\n {2}2027-01-thu-muon +từ 2027-01-01 +QT01 \S+ +thư đôn đốc từ ngày 20\n$/);
  }, 60_000);
});
