/**
 * The monthly C12-TS workflow, for real: the same ASL file the cloud deploys, run by the embedded engine
 * through the Step Functions API, the real handlers against dynalite, the mails read back from the local SES.
 */
import { reasonInVietnamese } from '../../functions/shared/reasons.ts';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeStatement } from '../../functions/c12/account.ts';
import { employerRecordSchema, ledgerToRequest, type LedgerRow } from '../../functions/c12/ledger.ts';
import { formatNumber } from '../../functions/c12/notice/format.ts';
import { fromStoredNotice } from '../../functions/c12/repository.ts';
import { awsClients } from '../../functions/shared/aws.ts';
import {
  generateDemoProvince,
  storedLedgerOf,
  writeDemoProvince,
  type DemoProvince,
} from '../../infra/local/seed.ts';
import { ensureTables } from '../../infra/local/emulators.ts';
import { stateMachineArn } from '../../infra/local/sfn-engine.ts';
import { FREE_PORTS, startLocalStack, type LocalStack } from '../../infra/local/stack.ts';
import { tempDataDir } from '../infra/local/helpers.ts';
import { pdfText } from '../unit/c12/notice/pdf-text.ts';

interface StoredEmail {
  from: string;
  subject: string;
  destination: { to: string[] };
  body: { text?: string; html?: string };
  attachments: { filename?: string; contentType: string; content: string }[];
}

const PERIOD = '2026-10';

async function mailbox(stack: LocalStack): Promise<StoredEmail[]> {
  const response = await fetch(stack.sesStoreUrl);
  return ((await response.json()) as { emails: StoredEmail[] }).emails;
}

async function runMonthly(sfn: SFNClient, name: string, period = PERIOD) {
  const started = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: stateMachineArn('MonthlyC12Notices'),
      name,
      input: JSON.stringify({ period }),
    }),
  );
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionArn }));
    if (execution.status !== 'RUNNING') return execution;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('monthly-c12-notices on the embedded stack', () => {
  const data = tempDataDir();
  let stack: LocalStack;
  let sfn: SFNClient;
  let province: DemoProvince;
  let firstOutput: Record<string, unknown> & {
    employers: number;
    sent: number;
    quarantined: number;
    postal: number;
    inArrears: number;
  };
  let firstMails: StoredEmail[];

  beforeAll(async () => {
    // Retries wait 20 ms instead of seconds: the failure test exercises them all.
    stack = await startLocalStack({ dataDir: data.dir, ports: FREE_PORTS, retryDelayMs: 20 });
    province = generateDemoProvince({ employers: 45, seed: 7, asOf: '2026-11-22' });
    await writeDemoProvince(awsClients().dynamo, province);
    sfn = new SFNClient({});
    const execution = await runMonthly(sfn, 'first-run');
    expect(execution.status, `${execution.error}: ${execution.cause}`).toBe('SUCCEEDED');
    firstOutput = JSON.parse(execution.output!);
    firstMails = await mailbox(stack);
  }, 240_000);

  afterAll(async () => {
    await stack?.stop();
    data.remove();
  });

  const malformed = () => province.employers.filter((employer) => employer.behaviour === 'malformed');
  const withoutEmail = () => province.employers.filter((e) => !e.email && e.behaviour !== 'malformed');
  const byEmail = () => province.employers.filter((e) => e.email && e.behaviour !== 'malformed');

  it('sends every employer with an email its notice, with the C12-TS PDF, in Vietnamese', async () => {
    expect(firstOutput.employers).toBe(province.employers.length);
    expect(firstOutput.sent).toBe(byEmail().length);
    const notices = firstMails.filter((mail) => mail.subject.includes('Mã đơn vị'));
    expect(notices).toHaveLength(byEmail().length);
    for (const employer of byEmail()) {
      const mail = notices.find((candidate) => candidate.destination.to.includes(employer.email!));
      expect(mail, employer.employerId).toBeDefined();
      expect(mail!.subject).toContain('10/2026');
      expect(mail!.subject).toContain(employer.employerId);
      expect(mail!.body.html).toContain('Kính gửi');
      expect(mail!.body.text).toContain('đ');
      expect(mail!.attachments.map((attachment) => attachment.contentType)).toContain('application/pdf');
    }
  });

  /** What each clean employer's October statement must be, computed here from the seeded ledger. */
  const expectedStatements = () => {
    const rowsOf = new Map<string, LedgerRow[]>();
    for (const row of storedLedgerOf(province) as (LedgerRow & { employerId: string })[])
      rowsOf.set(row.employerId, [...(rowsOf.get(row.employerId) ?? []), row]);
    return new Map(
      province.employers
        .filter((employer) => employer.behaviour !== 'malformed')
        .map((employer) => [
          employer.employerId,
          computeStatement(
            ledgerToRequest(
              employerRecordSchema.parse(employer),
              rowsOf.get(employer.employerId) ?? [],
              PERIOD,
            ),
          ),
        ]),
    );
  };

  it('stores one notice per employer and period, with the statement its ledger gives', async () => {
    const { Items = [] } = await awsClients().dynamo.send(
      new ScanCommand({
        TableName: 'Notices',
        FilterExpression: '#p = :p',
        ExpressionAttributeNames: { '#p': 'period' },
        ExpressionAttributeValues: { ':p': PERIOD },
      }),
    );
    const expected = expectedStatements();
    expect(Items.map((item) => item.employerId).sort()).toEqual([...expected.keys()].sort());
    for (const item of Items) {
      expect(fromStoredNotice(item).statement).toEqual(expected.get(item.employerId));
      expect(item.status).toBe(item.email ? 'SENT' : 'POSTAL');
    }
  });

  it('quarantines employers with a malformed ledger row, with the reason, and lists postal delivery', () => {
    expect(malformed().length).toBeGreaterThan(0);
    expect(firstOutput.quarantined).toBe(malformed().length);
    const quarantined = firstOutput.quarantinedEmployers as { employerId: string; reason: string }[];
    expect(quarantined.map((entry) => entry.employerId).sort()).toEqual(
      malformed()
        .map((e) => e.employerId)
        .sort(),
    );
    for (const entry of quarantined) expect(entry.reason).toMatch(/^(PAYROLL|PAYMENT|ADJUSTMENT)#.*: .+: .+/);
    // One of each: a negative wage, an impossible date, an unknown fund.
    const reasons = quarantined.map((entry) => entry.reason).join('\n');
    expect(reasons).toMatch(/^PAYROLL#.*insuredWage/m);
    expect(reasons).toMatch(/^PAYMENT#.*date/m);
    expect(reasons).toMatch(/^ADJUSTMENT#.*BHXH.*fund: must be one of BHYT/m);
    expect(withoutEmail().length).toBeGreaterThan(0);
    expect(firstOutput.postal).toBe(withoutEmail().length);
    expect((firstOutput.postalEmployers as { employerId: string }[]).map((e) => e.employerId).sort()).toEqual(
      withoutEmail()
        .map((e) => e.employerId)
        .sort(),
    );
  });

  it('sends the administrators a summary naming the quarantined employers and their reasons', async () => {
    const summaries = firstMails.filter((mail) => !mail.subject.includes('Mã đơn vị'));
    expect(summaries).toHaveLength(1);
    const summary = summaries[0]!;
    expect(summary.destination.to).toContain('quantri@bhxh-demo.vn');
    for (const employer of malformed()) expect(summary.body.text).toContain(employer.employerId);
    // And why: each quarantined employer's reason as the run recorded it, in the administrators' words.
    const reasons = (firstOutput.quarantinedEmployers as { reason: string }[]).map((entry) => entry.reason);
    expect(reasons.length).toBe(malformed().length);
    for (const reason of reasons) expect(summary.body.text).toContain(reasonInVietnamese(reason));
    expect(summary.body.text).toContain('insuredWage: không được âm');
    // And who gets the notice by post.
    for (const employer of withoutEmail()) expect(summary.body.text).toContain(employer.employerId);
  });

  it('opens a debt case for each employer in arrears, and only for them', async () => {
    const { Items = [] } = await awsClients().dynamo.send(new ScanCommand({ TableName: 'Cases' }));
    const inArrears = [...expectedStatements()]
      .filter(([, statement]) => statement.flags.some((flag) => flag.code === 'IN_ARREARS'))
      .map(([employerId]) => employerId);
    expect(inArrears.length).toBeGreaterThan(0);
    expect(firstOutput.inArrears).toBe(inArrears.length);
    expect(Items.map((item) => item.employerId).sort()).toEqual(inArrears.sort());
    for (const item of Items) {
      expect(item.status).toBe('OPEN');
      expect(item.overduePrincipal + item.overdueInterest).toBeGreaterThan(0);
      expect(item.caseId).toBe(`${item.employerId}#${PERIOD}`);
    }
  });

  it('re-running the same period sends no second notice and stores no second one', async () => {
    const execution = await runMonthly(sfn, 'second-run');
    expect(execution.status).toBe('SUCCEEDED');
    const output = JSON.parse(execution.output!);
    expect(output.sent).toBe(0);
    expect(output.postal).toBe(0);
    expect(output.alreadyDelivered).toBe(province.employers.length - malformed().length);
    const mails = await mailbox(stack);
    const notices = mails.filter((mail) => mail.subject.includes('Mã đơn vị'));
    expect(notices).toHaveLength(byEmail().length);
    // Only the second run's summary is new.
    expect(mails).toHaveLength(firstMails.length + 1);
    const { Items = [] } = await awsClients().dynamo.send(new ScanCommand({ TableName: 'Notices' }));
    expect(Items).toHaveLength(province.employers.length - malformed().length);
  }, 120_000);

  it('attaches the C12-TS PDF, which reads back with the employer and the amount due', async () => {
    const expected = expectedStatements();
    const employer = byEmail().find((candidate) => (expected.get(candidate.employerId)?.amountDue ?? 0) > 0)!;
    const mail = firstMails.find((candidate) => candidate.destination.to.includes(employer.email!))!;
    const attachment = mail.attachments.find((candidate) => candidate.contentType === 'application/pdf')!;
    expect(attachment.filename).toBe(`C12-TS_${employer.employerId}_${PERIOD}.pdf`);
    const text = (await pdfText(Buffer.from(attachment.content, 'base64'))).join('\n');
    expect(text).toContain(employer.employerId);
    expect(text).toContain(employer.name);
    expect(text).toContain(formatNumber(expected.get(employer.employerId)!.amountDue));
  });

  it('when batches keep failing, still sends the administrators a summary, then fails the execution', async () => {
    // Break the store under the run: every employer in arrears now fails on a real DynamoDB error.
    const dynamo = new DynamoDBClient({});
    await dynamo.send(new DeleteTableCommand({ TableName: 'Cases' }));
    try {
      const before = (await mailbox(stack)).length;
      const execution = await runMonthly(sfn, 'broken-run', '2026-09');
      expect(execution.status).toBe('FAILED');
      expect(execution.error).toBe('MonthlyRunFailed');
      const summaries = (await mailbox(stack))
        .slice(before)
        .filter((mail) => !mail.subject.includes('Mã đơn vị'));
      expect(summaries).toHaveLength(1);
      expect(summaries[0]!.subject).toMatch(/^LỖI/);
      expect(summaries[0]!.body.text).toContain('ResourceNotFoundException');
    } finally {
      await ensureTables(dynamo);
      dynamo.destroy();
    }
  }, 120_000);
});
