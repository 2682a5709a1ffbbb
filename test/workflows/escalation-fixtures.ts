/** The escalation workflow tests' world: three officers, employers that never pay, and the mailbox. */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CaseApprovalSubject } from '../../functions/approvals/model.ts';
import { storedLedgerRows, type LedgerEntry } from '../../functions/c12/ledger.ts';
import type { Statement } from '../../functions/c12/model.ts';
import { C12Repository } from '../../functions/c12/repository.ts';
import { EscalationRepository, type OfficerRecord } from '../../functions/escalation/repository.ts';
import { awsClients } from '../../functions/shared/aws.ts';
import { addMonths } from '../../functions/shared/calendar.ts';
import type { LocalStack } from '../../infra/local/stack.ts';
import { runToEnd, until } from '../infra/local/helpers.ts';

export interface StoredEmail {
  messageId: string;
  subject: string;
  destination: { to: string[]; cc?: string[] };
  body: { text?: string; html?: string };
}

export const PARTITION = 'P-XUANHUONG';
/** What the officer of TS0001A is asked to approve for its working session (the unit tests' approval). */
export const WORKING_SESSION_SUBJECT: CaseApprovalSubject = {
  caseId: 'TS0001A#2026-09',
  employerId: 'TS0001A',
  employerName: 'Công ty TNHH Nợ Kéo Dài',
  stage: 'WORKING_SESSION',
  action: 'Mời đơn vị làm việc',
  overdueVnd: 40_000_000,
  daysLate: 30,
  details: [],
};

export const OFFICERS = [
  { officerId: 'GD01', name: 'Nguyễn Văn Thành', email: 'thanh.nv@bhxh-demo.vn', role: 'DIRECTOR' },
  {
    officerId: 'TP01',
    name: 'Lê Thị Hoa',
    email: 'hoa.lt@bhxh-demo.vn',
    role: 'SUPERVISOR',
    supervisorId: 'GD01',
  },
  {
    officerId: 'CB01',
    name: 'Trần Văn Bình',
    email: 'binh.tv@bhxh-demo.vn',
    role: 'OFFICER',
    supervisorId: 'TP01',
  },
] satisfies OfficerRecord[];
const employees = [
  { id: 'NV01', insuredWage: 10_000_000 },
  { id: 'NV02', insuredWage: 60_000_000 },
];

/** Officers, and employers that owe 19,580,000 a month from August 2026, each with its case opened. */
export async function seedEscalation(
  employers: readonly { employerId: string; name: string; email: string }[],
) {
  const { dynamo } = awsClients();
  const put = (TableName: string, Item: Record<string, unknown>) =>
    dynamo.send(new PutCommand({ TableName, Item }));
  for (const officer of OFFICERS) await put('Officers', officer);
  for (const employer of employers) {
    await put('Employers', {
      ...employer,
      region: 'I',
      reducedAccidentRate: false,
      headName: 'Phạm Văn An',
      headTitle: 'Giám đốc',
      address: 'Đà Lạt',
      partition: PARTITION,
      officerId: 'CB01',
    });
    const entries: LedgerEntry[] = [];
    for (let period = '2026-08'; period <= '2027-06'; period = addMonths(period, 1)) {
      entries.push({ type: 'PAYROLL', entryKey: `PAYROLL#${period}`, period, employees });
    }
    for (const entry of entries) {
      for (const row of storedLedgerRows(employer.employerId, PARTITION, entry)) await put('Ledger', row);
    }
    // As the September run opens it: August's charge (due 2026-09-30) in arrears.
    await new C12Repository(dynamo).openOrUpdateCase(
      {
        employerId: employer.employerId,
        period: '2026-09',
        overduePrincipal: 19_580_000,
        overdueInterest: 0,
        oldestOverdueDueDate: '2026-09-30',
        total: { carriedForward: { owed: 39_160_000, interestOwed: 0 } },
      } as unknown as Statement,
      { officerId: 'CB01', name: employer.name },
      '2026-10-05T06:00:00.000Z',
    );
  }
}

/** Runs the sweep as of a day (for one employer, or all) and returns its totals. */
export function sweep(asOf: string, employerId?: string) {
  return runToEnd<{ totals: Record<string, number> }>('DebtEscalation', {
    asOf,
    ...(employerId ? { employerId } : {}),
  });
}

export function mailer(stack: LocalStack) {
  const seen = new Set<string>();
  const mailbox = async (): Promise<StoredEmail[]> =>
    ((await (await fetch(stack.sesStoreUrl)).json()) as { emails: StoredEmail[] }).emails;
  /** Waits for a mail to `to` whose subject matches, that was not seen before. */
  const next = (to: string, subject: RegExp, timeoutMs = 30_000): Promise<StoredEmail> =>
    until(
      async () => {
        const mail = (await mailbox()).find(
          (candidate) =>
            candidate.destination.to.includes(to) &&
            subject.test(candidate.subject) &&
            !seen.has(candidate.messageId),
        );
        if (mail) seen.add(mail.messageId);
        return mail;
      },
      timeoutMs,
      `a mail to ${to} matching ${subject}`,
    );
  return { mailbox, next };
}

export function linkOf(mail: StoredEmail): string {
  return /(http:\/\/127\.0\.0\.1:\d+\/approvals\/[A-Za-z0-9_-]{24})/.exec(mail.body.text ?? '')![1]!;
}

/** Opens the link and decides on the page, as the officer would; returns the response. */
export async function decide(url: string, decision: 'approve' | 'reject', reason = 'Đồng ý') {
  const page = await (await fetch(url)).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? 'none';
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ decision, csrf, reason }).toString(),
  });
}

export const cases = () => new EscalationRepository(awsClients().dynamo);

/** Waits until the employer's case is at `stage` with no approval in progress. */
export function stageOf(employerId: string, stage: string) {
  return until(
    async () => {
      const kase = await cases().currentCase(employerId);
      return kase?.stage === stage && !kase.pendingApproval ? kase : undefined;
    },
    30_000,
    `${employerId} at ${stage}`,
  );
}
