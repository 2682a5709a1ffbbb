/**
 * The monthly C12-TS workflow, for real: the same ASL file the cloud deploys, run by the embedded engine
 * through the Step Functions API, the real handlers against dynalite, the mails read back from the local SES.
 */
import { QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClients } from '../../functions/shared/aws.ts';
import { generateDemoProvince, writeDemoProvince, type DemoProvince } from '../../infra/local/seed.ts';
import { stateMachineArn } from '../../infra/local/sfn-engine.ts';
import { FREE_PORTS, startLocalStack, type LocalStack } from '../../infra/local/stack.ts';
import { tempDataDir } from '../infra/local/helpers.ts';

interface StoredEmail {
  from: string;
  subject: string;
  destination: { to: string[] };
  body: { text?: string; html?: string };
  attachments: { filename?: string; contentType: string }[];
}

const PERIOD = '2026-10';

async function mailbox(stack: LocalStack): Promise<StoredEmail[]> {
  const response = await fetch(stack.sesStoreUrl);
  return ((await response.json()) as { emails: StoredEmail[] }).emails;
}

async function runMonthly(sfn: SFNClient, name: string) {
  const started = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: stateMachineArn('MonthlyC12Notices'),
      name,
      input: JSON.stringify({ period: PERIOD }),
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
    stack = await startLocalStack({ dataDir: data.dir, ports: FREE_PORTS });
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

  it('stores one notice per employer and period, computed from the ledger', async () => {
    const { Items = [] } = await awsClients().dynamo.send(
      new QueryCommand({
        TableName: 'Notices',
        IndexName: 'byPeriod',
        KeyConditionExpression: '#p = :p',
        ExpressionAttributeNames: { '#p': 'period' },
        ExpressionAttributeValues: { ':p': PERIOD },
      }),
    );
    expect(Items).toHaveLength(province.employers.length - malformed().length);
    const statuses = new Set(Items.map((item) => item.status));
    expect([...statuses].sort()).toEqual(withoutEmail().length > 0 ? ['POSTAL', 'SENT'] : ['SENT']);
    for (const item of Items) {
      expect(item.statement.employerId).toBe(item.employerId);
      expect(item.statement.period).toBe(PERIOD);
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
  });

  it('opens a debt case for each employer in arrears', async () => {
    const { Items = [] } = await awsClients().dynamo.send(new ScanCommand({ TableName: 'Cases' }));
    expect(firstOutput.inArrears).toBeGreaterThan(0);
    expect(Items).toHaveLength(firstOutput.inArrears);
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

  it('the mail parses back as MIME with the PDF attachment intact', async () => {
    const response = await fetch(`${stack.sesStoreUrl}`);
    const { emails } = (await response.json()) as { emails: (StoredEmail & { raw?: string })[] };
    const first = emails.find((mail) => mail.subject.includes('Mã đơn vị'));
    expect(first).toBeDefined();
    if (first?.raw) {
      const parsed = await simpleParser(first.raw);
      expect(parsed.attachments[0]?.content.subarray(0, 5).toString()).toBe('%PDF-');
    } else {
      expect(first!.attachments[0]?.filename).toMatch(/^C12-TS_.+_2026-10\.pdf$/);
    }
  });
});
