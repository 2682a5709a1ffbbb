/**
 * The monthly agency review on the embedded stack, over the demo province: the expected findings, a report
 * with its PDF in the local mailbox for every organisation, the administrators' summary naming every
 * breach and every record set aside, and a re-run that sends nothing twice.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dueList } from '../../functions/agencies/due-list.ts';
import { AgencyRepository } from '../../functions/agencies/repository.ts';
import { formatDate } from '../../functions/c12/notice/format.ts';
import { runCli } from '../../functions/cli/main.ts';
import { todayInVietnam } from '../../functions/shared/calendar.ts';
import { EscalationRepository } from '../../functions/escalation/repository.ts';
import { awsClients } from '../../functions/shared/aws.ts';
import { generateAgencyProvince } from '../../infra/local/seed-agencies.ts';
import { FREE_PORTS, startLocalStack, type LocalStack } from '../../infra/local/stack.ts';
import { runToEnd, tempDataDir, until } from '../infra/local/helpers.ts';

interface StoredEmail {
  messageId: string;
  subject: string;
  destination: { to: string[] };
  body: { text?: string; html?: string };
  attachments: { filename?: string; contentType: string; content: string }[];
}

const ASOF = '2026-12-03';
const data = tempDataDir();
const province = generateAgencyProvince({ asOf: ASOF });
let stack: LocalStack;

const mailbox = async () =>
  ((await (await fetch(stack.sesStoreUrl)).json()) as { emails: StoredEmail[] }).emails;

function runReview() {
  return runToEnd<{
    month: string;
    organisations: number;
    findings: Record<string, number>;
    rejected: { kind: string; id: string; reason: string }[];
    reports: { sent: number; alreadySent: number; noEmail: number; rejected: number };
    summarySent: boolean;
  }>('AgencyReview', { asOf: ASOF });
}

// The officer has a minute to decide (three working days in production).
process.env.APPROVAL_WAIT_SECONDS_OVERRIDE = '60';
const OFFICER = {
  officerId: 'TP01',
  name: 'Trần Thị Thu Hà',
  email: 'ha.ttt@bhxh-demo.vn',
  role: 'SUPERVISOR',
};

beforeAll(async () => {
  stack = await startLocalStack({ dataDir: data.dir, ports: FREE_PORTS, resume: false });
  await new AgencyRepository(awsClients().dynamo).writeProvince(province);
  await awsClients().dynamo.send(new PutCommand({ TableName: 'Officers', Item: OFFICER }));
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  data.remove();
});

describe('the monthly agency review', () => {
  let first: Awaited<ReturnType<typeof runReview>>;

  it('reviews the province, sends every organisation its report with the PDF, and the summary', async () => {
    first = await runReview();
    expect(first).toMatchObject({
      month: '2026-11',
      organisations: 20,
      reports: { sent: 20, alreadySent: 0, noEmail: 0, rejected: 0 },
      summarySent: true,
    });
    expect(first.findings).toMatchObject({
      INACTIVE_COLLECTOR: 3,
      COLLECTOR_IN_TWO_ORGANISATIONS: 2,
      OUTSIDE_REGISTERED_COMMUNES: 1,
      RENEWAL_BY_OTHER_ORGANISATION: 2,
      COMMUNE_WITHOUT_POINT: 2,
      POINT_WITHOUT_SIGNBOARD: 3,
      TARGET_MISSED: 3,
    });
    expect(first.rejected.map((r) => r.id)).toEqual(Object.values(province.planted.badRecords));

    const mails = await mailbox();
    const reports = mails.filter((m) => m.subject.startsWith('Kết quả đánh giá tháng 11/2026'));
    expect(reports).toHaveLength(20);
    for (const report of reports) {
      expect(report.attachments.map((a) => a.contentType)).toEqual(['application/pdf']);
      expect(Buffer.from(report.attachments[0]!.content, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
    }
    const inactiveOrg = province.collectors.find(
      (c) => c.collectorId === province.planted.inactiveCollectors[0],
    )!.organisationCode as string;
    const theirs = reports.find((m) => m.subject.includes(`(${inactiveOrg})`))!;
    expect(theirs.body.text).toContain('6 tháng liên tục không phát triển được người tham gia mới');
    expect(theirs.body.text).toContain(province.planted.inactiveCollectors[0]);

    const summary = mails.find((m) =>
      m.subject.startsWith('Tổng hợp đánh giá tổ chức dịch vụ thu tháng 11/2026'),
    )!;
    expect(summary.destination.to).toEqual(['quantri@bhxh-demo.vn']);
    const text = summary.body.text!;
    for (const commune of province.planted.communesWithoutPoint) expect(text).toContain(`(${commune})`);
    expect(text).toContain(`CCCD ${province.planted.sharedNationalId.nationalId}`);
    // The reasons in the administrators' words, the field named as stored.
    expect(text).toContain('nationalId: số CCCD phải gồm 12 chữ số');
    expect(text).toContain('ghi ngày 2026-12-13, sau ngày đánh giá 2026-12-03');
    // Ranked by completion: the organisations under target last.
    const ranking = text.split('\n').filter((line) => /^\d+\. TCDV/.test(line));
    expect(ranking).toHaveLength(20);
    expect(new Set(ranking.slice(-3).map((line) => line.split(' ')[1]))).toEqual(
      new Set(province.planted.underTarget),
    );
  });

  it('sends nothing twice when the same month runs again', async () => {
    const before = (await mailbox()).length;
    const again = await runReview();
    expect(again.reports).toEqual({ sent: 0, alreadySent: 20, noEmail: 0, rejected: 0 });
    expect(again.summarySent).toBe(false);
    expect((await mailbox()).length).toBe(before);
  });

  it('prints the KPIs and findings from the command line, and refuses bad input', async () => {
    const cli = async (...argv: string[]) => {
      let stdout = '';
      let stderr = '';
      const code = await runCli(['agencies', ...argv], {
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        readStdin: async () => '',
      });
      return { code, stdout, stderr };
    };
    const list = await cli('list', '--as-of', ASOF);
    expect(list.code, list.stderr).toBe(0);
    expect(list.stdout.split('\n').filter((l) => /^ +\d+\. TCDV/.test(l))).toHaveLength(20);
    const inactive = province.planted.inactiveCollectors[0]!;
    const org = province.collectors.find((c) => c.collectorId === inactive)!.organisationCode as string;
    const shown = await cli('show', org, '--month', '2026-11');
    expect(shown.stdout).toContain(`${inactive}`);
    expect(shown.stdout).toMatch(/báo cáo: SENT/);
    const now = await cli('review', org, '--as-of', ASOF, '--json');
    const fresh = JSON.parse(now.stdout) as { findings: { rule: string; subject: string }[] };
    expect(fresh.findings).toContainEqual(
      expect.objectContaining({ rule: 'INACTIVE_COLLECTOR', subject: inactive }),
    );
    for (const [argv, reason] of [
      [['show', 'TCDV999'], /no organisation TCDV999/],
      [['show'], /one ORG/],
      [['list', '--month', '2026-13'], /is not a month/],
      [['list', '--month', '2020-01'], /no review of 2020-01 yet/],
      [['review', org, '--as-of', 'tomorrow'], /is not a date/],
    ] as const) {
      const result = await cli(...argv);
      expect(result.code, argv.join(' ')).toBe(2);
      expect(result.stderr).toMatch(reason);
    }
  });

  it('sends each organisation its D08a-TS list for next month, once', async () => {
    const run = () =>
      runToEnd<{ month: string; results: { sent: number; alreadySent: number; due: number }[] }>('DueLists', {
        asOf: ASOF,
      });
    const first = await run();
    expect(first.month).toBe('2027-01');
    const expected = [...dueList(province.participants, '2027-01').values()].flat().length;
    expect(first.results.reduce((n, r) => n + r.due, 0)).toBe(expected);
    expect(first.results.reduce((n, r) => n + r.sent, 0)).toBe(20);
    const lists = (await mailbox()).filter((m) =>
      m.subject.startsWith('Danh sách đến hạn đóng tháng 01/2027 (D08a-TS)'),
    );
    expect(lists).toHaveLength(20);
    expect(lists[0]!.attachments[0]).toMatchObject({ contentType: 'application/pdf' });
    const again = await run();
    expect(again.results.reduce((n, r) => n + r.alreadySent, 0)).toBe(20);
    expect((await mailbox()).filter((m) => m.subject.includes('(D08a-TS)'))).toHaveLength(20);
  });

  it('asks the managing officer by link to terminate each inactive collector; approved, it is written to the organisation', async () => {
    const asks = await until(async () => {
      const found = (await mailbox()).filter((m) =>
        m.subject.startsWith('Đề nghị phê duyệt: chấm dứt nhân viên thu'),
      );
      return found.length === 3 ? found : undefined;
    });
    expect(asks.every((m) => m.destination.to[0] === OFFICER.email)).toBe(true);
    const link = (mail: StoredEmail) =>
      /(http:\/\/127\.0\.0\.1:\d+\/approvals\/[A-Za-z0-9_-]{24})/.exec(mail.body.text!)![1]!;
    const [approveMail, rejectMail] = asks;
    const approvedId = /nhân viên thu (NVT\d+)/.exec(approveMail!.subject)![1]!;
    const rejectedId = /nhân viên thu (NVT\d+)/.exec(rejectMail!.subject)![1]!;

    const decide = async (mail: StoredEmail, decision: 'approve' | 'reject', reason: string) => {
      const page = await (await fetch(link(mail))).text();
      expect(page).toContain(`(${decision === 'approve' ? approvedId : rejectedId})`);
      const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
      return fetch(link(mail), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ decision, csrf, reason }).toString(),
      });
    };
    expect((await decide(approveMail!, 'approve', 'Đồng ý chấm dứt')).status).toBe(200);
    expect((await decide(rejectMail!, 'reject', 'Nhân viên đang nghỉ thai sản')).status).toBe(200);

    const collectorOf = async (collectorId: string) => {
      const raw = await new AgencyRepository(awsClients().dynamo).loadProvince('2026-11');
      return raw.collectors.find((c) => c.collectorId === collectorId)!;
    };
    const terminated = await until(async () => {
      const c = await collectorOf(approvedId);
      return c.leftAt ? c : undefined;
    });
    // The day of the approval in Vietnam, written as a Vietnamese date in the letter.
    const today = todayInVietnam();
    expect(terminated).toMatchObject({ terminatedBy: 'TP01', leftAt: today });
    expect((await collectorOf(rejectedId)).leftAt).toBeUndefined();
    const org = terminated.organisationCode as string;
    const letter = await until(async () =>
      (await mailbox()).find((m) =>
        m.subject.startsWith(`Thông báo chấm dứt hoạt động thu của nhân viên ${approvedId}`),
      ),
    );
    expect(letter.body.text).toContain(`từ ngày ${formatDate(today)}, do `);
    const trail = await new EscalationRepository(awsClients().dynamo).trail(`AGENCY#${org}`);
    expect(trail.map((entry) => entry.what)).toEqual(
      expect.arrayContaining(['APPROVAL_ASKED', 'APPROVED', 'COLLECTOR_TERMINATED']),
    );
    const rejectedOrg = (await collectorOf(rejectedId)).organisationCode as string;
    await until(async () => {
      const entries = await new EscalationRepository(awsClients().dynamo).trail(`AGENCY#${rejectedOrg}`);
      return entries.find(
        (entry) => entry.what === 'DECISION_REJECTED' && entry.why === 'Nhân viên đang nghỉ thai sản',
      );
    });

    // The month reviewed again: no second request.
    await runReview();
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(
      (await mailbox()).filter((m) => m.subject.startsWith('Đề nghị phê duyệt: chấm dứt nhân viên thu')),
    ).toHaveLength(3);
  }, 60_000);

  it('asks for each contract review with three answers; the answer is written to the organisation', async () => {
    const asks = await until(async () => {
      const found = (await mailbox()).filter((m) => m.subject.startsWith('Đề nghị quyết định hợp đồng'));
      return found.length === 2 ? found : undefined;
    });
    const { sixMonthly, ending } = province.planted.contractReviews;
    const ask = asks.find((m) => m.subject.includes(`(${ending})`))!;
    expect(asks.find((m) => m.subject.includes(`(${sixMonthly})`))).toBeDefined();
    const url = /(http:\/\/127\.0\.0\.1:\d+\/approvals\/[A-Za-z0-9_-]{24})/.exec(ask.body.text!)![1]!;
    const page = await (await fetch(url)).text();
    expect(page).toContain('value="option:RENEW"');
    expect(page).toContain('value="option:RENEW_WITH_CONDITIONS"');
    expect(page).toContain('value="option:END"');
    expect(page).not.toContain('value="approve"');
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)![1]!;
    const post = (fields: Record<string, string>) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ csrf, ...fields }).toString(),
      });
    // Yes or no cannot answer it, an unknown option neither, and conditions need saying.
    expect((await post({ decision: 'approve' })).status).toBe(400);
    expect((await post({ decision: 'option:EXTEND_FOREVER' })).status).toBe(400);
    const noConditions = await post({ decision: 'option:RENEW_WITH_CONDITIONS' });
    expect(await noConditions.text()).toContain('lý do');
    const answered = await post({
      decision: 'option:RENEW_WITH_CONDITIONS',
      reason: 'Mở thêm điểm thu tại xã chưa có điểm',
    });
    expect(answered.status).toBe(200);
    const profile = await until(async () => {
      const raw = await new AgencyRepository(awsClients().dynamo).loadProvince('2026-11');
      const org = raw.organisations.find((o) => o.code === ending) as
        { contractDecisions?: unknown[] } | undefined;
      return org?.contractDecisions?.length ? org : undefined;
    });
    expect(profile.contractDecisions).toEqual([
      expect.objectContaining({
        choice: 'RENEW_WITH_CONDITIONS',
        conditions: 'Mở thêm điểm thu tại xã chưa có điểm',
        by: 'TP01',
      }),
    ]);
    await until(async () =>
      (await mailbox()).find((m) =>
        m.subject.startsWith('Thông báo quyết định về hợp đồng: gia hạn hợp đồng có điều kiện'),
      ),
    );
  }, 60_000);
});
