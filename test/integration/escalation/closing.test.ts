/**
 * Paid in full, with the closing letter's send failing: the case stays open with its letter claimed, and
 * the next evaluation sends the letter and closes the case, once.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedLedgerRows } from '../../../functions/c12/ledger.ts';
import { C12Repository } from '../../../functions/c12/repository.ts';
import { DEFAULT_ESCALATION_POLICY } from '../../../functions/escalation/policy.ts';
import { evaluateOne, type SweepDeps } from '../../../functions/escalation/sweep.ts';
import type { OutgoingEmail } from '../../../functions/shared/email.ts';
import { awsClients } from '../../../functions/shared/aws.ts';
import { FREE_PORTS, startLocalStack, type LocalStack } from '../../../infra/local/stack.ts';
import { tempDataDir } from '../../infra/local/helpers.ts';
import { cases, PARTITION, seedEscalation } from '../../workflows/escalation-fixtures.ts';

const data = tempDataDir();
let stack: LocalStack;
const EMPLOYER = { employerId: 'TS0009A', name: 'Công ty TNHH Đã Nộp Đủ', email: 'ketoan@danopdu.vn' };
const RELAPSED = { employerId: 'TS0010A', name: 'Công ty TNHH Lại Nợ', email: 'ketoan@laino.vn' };

beforeAll(async () => {
  stack = await startLocalStack({ dataDir: data.dir, ports: FREE_PORTS, resume: false });
  await seedEscalation([EMPLOYER, RELAPSED]);
  // August and September paid in full (with room for interest) on 3 November.
  for (const { employerId } of [EMPLOYER, RELAPSED]) {
    await awsClients().dynamo.send(
      new PutCommand({
        TableName: 'Ledger',
        Item: storedLedgerRows(employerId, PARTITION, {
          type: 'PAYMENT',
          entryKey: 'PAYMENT#2026-11-03#UNC-9',
          date: '2026-11-03',
          amount: 2 * 19_580_000 + 200_000,
          ref: 'UNC-9',
        })[0]!,
      }),
    );
  }
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  data.remove();
});

function deps(send: (mail: OutgoingEmail) => Promise<never | { status: 'SENT'; messageId: string }>) {
  const { dynamo } = awsClients();
  const c12 = new C12Repository(dynamo);
  return {
    cases: cases(),
    employer: async (employerId: string) => (await cases().employers([employerId])).get(employerId),
    ledger: (partition: string, employerId: string) => c12.ledger(partition, employerId),
    send,
    startApproval: async () => 'STARTED',
    policies: async () => [DEFAULT_ESCALATION_POLICY],
    office: {
      name: 'BHXH cơ sở Xuân Hương',
      sender: 'thongbao@bhxh-demo.vn',
      configurationSet: undefined,
      evasionRecipients: [],
      publicListUrl: undefined,
    },
    now: () => '2026-11-04T00:00:00.000Z',
  } as unknown as SweepDeps;
}

describe('closing a case paid in full', () => {
  it('keeps the case open when the closing letter fails, then sends it once and closes', async () => {
    const failing = deps(async () => {
      throw Object.assign(new Error('SES unavailable'), { name: 'ServiceUnavailable', $fault: 'server' });
    });
    const kase = (await cases().currentCase(EMPLOYER.employerId))!;
    await expect(evaluateOne(failing, kase, '2026-11-04')).rejects.toThrow('SES unavailable');
    expect(await cases().currentCase(EMPLOYER.employerId)).toMatchObject({
      status: 'OPEN',
      documents: { CLOSED: { status: 'PENDING' } },
    });

    const sent: OutgoingEmail[] = [];
    const working = deps(async (mail) => {
      sent.push(mail);
      return { status: 'SENT', messageId: `m-${sent.length}` };
    });
    const again = (await cases().currentCase(EMPLOYER.employerId))!;
    expect(await evaluateOne(working, again, '2026-11-04')).toBe('CLOSED');
    expect(sent.map((mail) => [mail.to, mail.subject.startsWith('Kết thúc đôn đốc')])).toEqual([
      [[EMPLOYER.email], true],
    ]);
    expect(await cases().currentCase(EMPLOYER.employerId)).toMatchObject({
      status: 'CLOSED',
      closeReason: 'PAID_IN_FULL',
      documents: { CLOSED: { status: 'SENT', messageId: 'm-1' } },
      // The page of a closed case shows nothing late.
      overduePrincipal: 0,
      overdueInterest: 0,
      oldestOverdueDueDate: null,
    });
    // Evaluated once more as read now (a retried batch): nothing is sent twice.
    const closed = (await cases().currentCase(EMPLOYER.employerId))!;
    expect(await evaluateOne(working, closed, '2026-11-04')).toBe('CLOSED');
    expect(sent).toHaveLength(1);
    const trail = await cases().trail(kase.caseId);
    expect(trail.filter((entry) => entry.what === 'CLOSED')).toHaveLength(1);
  }, 30_000);

  it('does not send the claimed closing letter to an employer back in arrears before the next sweep', async () => {
    const failing = deps(async () => {
      throw Object.assign(new Error('SES unavailable'), { name: 'ServiceUnavailable', $fault: 'server' });
    });
    const kase = (await cases().currentCase(RELAPSED.employerId))!;
    await expect(evaluateOne(failing, kase, '2026-11-04')).rejects.toThrow('SES unavailable');
    // By 2 December October's charge (due 30 November) is unpaid: in arrears again.
    const sent: OutgoingEmail[] = [];
    const working = deps(async (mail) => {
      sent.push(mail);
      return { status: 'SENT', messageId: `r-${sent.length}` };
    });
    const relapsed = (await cases().currentCase(RELAPSED.employerId))!;
    expect(await evaluateOne(working, relapsed, '2026-12-02')).not.toBe('CLOSED');
    expect(sent.filter((mail) => mail.subject.startsWith('Kết thúc đôn đốc'))).toEqual([]);
    expect(await cases().currentCase(RELAPSED.employerId)).toMatchObject({ status: 'OPEN' });
  }, 30_000);
});
