/**
 * An approval the case stops waiting for is withdrawn, on the embedded stack with the real ASL and handlers:
 * a pause ends it (the link dies, the evaluation after the resume asks again), and so does a payment that
 * takes the case below the stage (the step is not taken on the figures of the day it was asked).
 */
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedLedgerRows } from '../../functions/c12/ledger.ts';
import { awsClients } from '../../functions/shared/aws.ts';
import { FREE_PORTS, startLocalStack, type LocalStack } from '../../infra/local/stack.ts';
import { tempDataDir } from '../infra/local/helpers.ts';
import {
  cases,
  decide,
  linkOf,
  mailer,
  PARTITION,
  seedEscalation,
  stageOf,
  sweep,
} from './escalation-fixtures.ts';

process.env.APPROVAL_WAIT_SECONDS_OVERRIDE = '600';

const PAUSED = 'TS0021A';
const PAYING = 'TS0031A';
const SETTLED = 'TS0041A';
const data = tempDataDir();
let stack: LocalStack;
let mail: ReturnType<typeof mailer>;

beforeAll(async () => {
  stack = await startLocalStack({ dataDir: data.dir, ports: FREE_PORTS, resume: false });
  mail = mailer(stack);
  await seedEscalation([
    { employerId: PAUSED, name: 'Công ty Tạm Dừng', email: 'kt@tamdung.example' },
    { employerId: PAYING, name: 'Công ty Nộp Bớt', email: 'kt@nopbot.example' },
    { employerId: SETTLED, name: 'Công ty Nộp Đủ', email: 'kt@nopdu.example' },
  ]);
  await sweep('2026-10-02');
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  data.remove();
});

/** The approver's form, as the page showed it when the link was live: the decision they would post. */
async function formOf(url: string) {
  const csrf = /name="csrf" value="([^"]+)"/.exec(await (await fetch(url)).text())?.[1];
  expect(csrf).toBeDefined();
  return () =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ decision: 'approve', csrf: csrf! }).toString(),
    });
}

const whats = async (employerId: string) =>
  (await cases().trail((await cases().currentCase(employerId))!.caseId)).map((entry) => entry.what);

describe('a paused case', () => {
  it('is closed by the daily sweep when paid in full, pause or not', async () => {
    await cases().pause(SETTLED, {
      reason: 'DISPUTE',
      by: 'CB01',
      at: new Date().toISOString(),
      channel: 'CLI',
    });
    const payment = storedLedgerRows(SETTLED, PARTITION, {
      type: 'PAYMENT',
      entryKey: 'PAYMENT#2026-10-02#UNC-9',
      date: '2026-10-02',
      amount: 100_000_000,
      ref: 'UNC-9',
    });
    for (const row of payment)
      await awsClients().dynamo.send(new PutCommand({ TableName: 'Ledger', Item: row }));
    const { totals } = await sweep('2026-10-03'); // every case, as the schedule runs it
    expect(totals.CLOSED).toBe(1);
    expect(await cases().currentCase(SETTLED)).toMatchObject({ status: 'CLOSED' });
    await mail.next('kt@nopdu.example', /^Kết thúc đôn đốc nợ/); // its closing letter
  });
});

describe('an approval the case no longer waits for', () => {
  it('dies with a pause: the link decides nothing, and the evaluation after the resume asks again', async () => {
    await sweep('2026-10-30', PAUSED);
    const ask = await mail.next('binh.tv@bhxh-demo.vn', /^Đề nghị phê duyệt.*TS0021A/);
    const approve = await formOf(linkOf(ask));
    const at = new Date().toISOString();
    const paused = await cases().pause(PAUSED, { reason: 'DISPUTE', by: 'CB01', at, channel: 'CLI' });
    expect(paused.pendingApproval).toBeUndefined();
    expect((await cases().currentCase(PAUSED))?.pendingApproval).toBeUndefined();

    const page = await fetch(linkOf(ask));
    expect(page.status).toBe(410);
    expect(await page.text()).toContain('Đề nghị đã được rút');
    const posted = await approve();
    expect(posted.status).toBe(410);
    expect(await posted.text()).toContain('Đề nghị đã được rút');
    expect(await whats(PAUSED)).toContain('APPROVAL_WITHDRAWN');
    expect(await whats(PAUSED)).not.toContain('APPROVED');

    await cases().resume(PAUSED, { by: 'CB01', at: new Date().toISOString(), channel: 'CLI' });
    // The same day: the withdrawn run still waits under its name, the new ask gets its own.
    const { totals } = await sweep('2026-10-30', PAUSED);
    expect(totals.APPROVAL_REQUESTED).toBe(1);
    const again = await mail.next('binh.tv@bhxh-demo.vn', /^Đề nghị phê duyệt.*TS0021A/);
    expect(linkOf(again)).not.toBe(linkOf(ask));
    expect((await decide(linkOf(again), 'approve')).status).toBe(200);
    await stageOf(PAUSED, 'WORKING_SESSION');
  });

  it("is ended only by its own run: a withdrawn run's outcome leaves its successor's wait alone", async () => {
    const kase = (await cases().currentCase(PAYING))!;
    expect(kase.pendingApproval).toBeUndefined();
    await awsClients().dynamo.send(
      new UpdateCommand({
        TableName: 'Cases',
        Key: { employerId: PAYING, slot: 'CURRENT' },
        UpdateExpression: 'SET pendingApproval = :p',
        ExpressionAttributeValues: {
          ':p': { stage: 'EVASION_NOTICE', requestedAt: new Date().toISOString(), executionName: 'R2' },
        },
      }),
    );
    expect(await cases().clearPendingApproval(PAYING, 'EVASION_NOTICE', 'R1')).toBe(false);
    expect(
      await cases().grantStage(PAYING, 'EVASION_NOTICE', 'R1', new Date().toISOString()),
    ).toBeUndefined();
    expect((await cases().currentCase(PAYING))!.pendingApproval?.executionName).toBe('R2');
    expect(await cases().clearPendingApproval(PAYING, 'EVASION_NOTICE', 'R2')).toBe(true);
    expect((await cases().currentCase(PAYING))!.pendingApproval).toBeUndefined();
  });

  it('is withdrawn when a payment takes the case below the stage before anyone decides', async () => {
    await sweep('2026-10-30', PAYING);
    await decide(linkOf(await mail.next('binh.tv@bhxh-demo.vn', /^Đề nghị phê duyệt.*TS0031A/)), 'approve');
    await stageOf(PAYING, 'WORKING_SESSION');
    await sweep('2026-11-29', PAYING);
    const ask = await mail.next(
      'binh.tv@bhxh-demo.vn',
      /^Đề nghị phê duyệt.*trốn đóng.*TS0031A|^Đề nghị phê duyệt.*TS0031A/,
    );
    const approve = await formOf(linkOf(ask));
    // August's charge and its interest paid on 11-29: the oldest overdue charge is now September's, 30 days
    // late on 11-30, short of the 60 days an evasion notice needs.
    const payment = storedLedgerRows(PAYING, PARTITION, {
      type: 'PAYMENT',
      entryKey: 'PAYMENT#2026-11-29#UNC-1',
      date: '2026-11-29',
      amount: 19_580_000 + 600_000,
      ref: 'UNC-1',
    });
    for (const row of payment)
      await awsClients().dynamo.send(new PutCommand({ TableName: 'Ledger', Item: row }));

    const { totals } = await sweep('2026-11-30', PAYING);
    expect(totals.WAITING).toBe(1);
    const kase = (await cases().currentCase(PAYING))!;
    expect(kase.stage).toBe('WORKING_SESSION');
    expect(kase.pendingApproval).toBeUndefined();
    expect(await whats(PAYING)).toContain('APPROVAL_WITHDRAWN');
    expect((await approve()).status).toBe(410);
    // Nothing reaches the employer or the authorities on the old figures.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const notices = (await mail.mailbox()).filter(
      (m) => /trốn đóng/i.test(m.subject) && m.destination.to.includes('kt@nopbot.example'),
    );
    expect(notices).toEqual([]);
    expect((await cases().currentCase(PAYING))!.stage).toBe('WORKING_SESSION');
    expect((await whats(PAYING)).filter((what) => what === 'APPROVED')).toHaveLength(1); // the first stage's
  });
});
