/**
 * The debt escalation on the embedded stack: the real sweep and approval workflows, the real handlers,
 * mail read back from the local SES, approvals clicked through the links found there, as an officer would.
 * A chronic debtor is driven through simulated days (the sweep's clock override) up the whole ladder; a
 * second employer pays midway and its case closes.
 */
import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storedLedgerRows } from '../../functions/c12/ledger.ts';
import { awsClients } from '../../functions/shared/aws.ts';
import { appConfig } from '../../functions/shared/config.ts';
import { FREE_PORTS, startLocalStack, type LocalStack } from '../../infra/local/stack.ts';
import { captureOutput, tempDataDir } from '../infra/local/helpers.ts';
import { pdfText } from '../unit/c12/notice/pdf-text.ts';
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

// Approvers get ten minutes of real time (the days of the policy would outlast the test).
process.env.APPROVAL_WAIT_SECONDS_OVERRIDE = '600';

const EMPLOYERS = [
  { employerId: 'TS0001A', name: 'Công ty TNHH Nợ Kéo Dài', email: 'ketoan@nokeodai.example' },
  { employerId: 'TS0002A', name: 'Công ty CP Trả Giữa Chừng', email: 'ketoan@tragiuachung.example' },
];
const data = tempDataDir();
let stack: LocalStack;
let mail: ReturnType<typeof mailer>;
/** The handlers' log lines (they run in this process): no task token may be in them. */
let output: ReturnType<typeof captureOutput>;
/** Every task token the engine issued, reminders' and reassignments' included. */
const issuedTokens: string[] = [];

async function approveFrom(message: { body: { text?: string } }) {
  const response = await decide(linkOf(message as never), 'approve');
  expect(response.status, await response.text()).toBe(200);
}

beforeAll(async () => {
  output = captureOutput();
  stack = await startLocalStack({ dataDir: data.dir, ports: FREE_PORTS, resume: false });
  stack.engine.taskTokenListeners.add((token) => issuedTokens.push(token));
  mail = mailer(stack);
  await seedEscalation(EMPLOYERS);
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  data.remove();
  output.restore();
});

describe('debt escalation, driven through simulated days', () => {
  const employerMail = EMPLOYERS[0]!.email;

  it('takes the reminder and the urging letter at once, both sent to the employer', async () => {
    const { totals } = await sweep('2026-10-02');
    expect(totals).toMatchObject({ evaluated: 2, CLIMBED: 2 });
    expect((await cases().currentCase('TS0001A'))?.stage).toBe('URGING_LETTER');
    await mail.next(employerMail, /^Nhắc nợ BHXH/);
    const letter = await mail.next(employerMail, /^Văn bản đôn đốc/);
    // The case's officer is informed: in copy of the letter.
    expect(letter.destination.cc).toEqual(['binh.tv@bhxh-demo.vn']);
    expect(letter.body.text).toContain('Số ngày chậm đóng: 2');
    expect(letter.body.text).toContain('chuyển hồ sơ đến cơ quan điều tra theo Điều 216');
    // The letter itself, as a PDF: amount, days late, interest, cure date, the measures that follow.
    const pdf = (
      letter as unknown as { attachments: { contentType: string; content: string }[] }
    ).attachments.find((attachment) => attachment.contentType === 'application/pdf')!;
    const text = (await pdfText(Buffer.from(pdf.content, 'base64'))).join(' ').replace(/\s+/g, ' ');
    expect(text).toContain('VĂN BẢN ĐÔN ĐỐC');
    expect(text).toContain('Công ty TNHH Nợ Kéo Dài');
    expect(text).toContain('Số tiền quá hạn: 19.580.000 đ');
    expect(text).toContain('Số ngày chậm đóng: 2');
    expect(text).toContain('chậm nhất ngày 17/10/2026');
    expect(text).toContain('Điều 216 Bộ luật Hình sự');
  });

  it('publishes the employers urged to pay on the public late-payer list, page and feed', async () => {
    const feed = (await (await fetch(`${stack.webUrl}/cong-khai/cham-dong.json`)).json()) as {
      entries: { employerId: string; classification: string; overdueVnd: number }[];
    };
    expect(feed.entries.map((entry) => [entry.employerId, entry.classification])).toEqual([
      ['TS0001A', 'CHAM_DONG'],
      ['TS0002A', 'CHAM_DONG'],
    ]);
    const page = await (await fetch(`${stack.webUrl}/cong-khai/cham-dong`)).text();
    expect(page).toContain('Công ty TNHH Nợ Kéo Dài');
    expect(page).toContain('Điều 35 Luật Bảo hiểm xã hội');
    expect((await fetch(`${stack.webUrl}/cong-khai/cham-dong`, { method: 'POST' })).status).toBe(405);
  });

  it('waits below 30 days late, then asks the officer to approve the working session by link', async () => {
    expect((await sweep('2026-10-29')).totals).toMatchObject({ WAITING: 2 });
    await sweep('2026-10-30', 'TS0001A');
    const ask = await mail.next('binh.tv@bhxh-demo.vn', /^Đề nghị phê duyệt: Mời đơn vị làm việc/);
    expect(ask.body.text).toContain('Số ngày chậm đóng: 30');
    // The page shows the case's trail so far, under the question.
    const page = await (await fetch(linkOf(ask))).text();
    expect(page).toContain('Nhật ký hồ sơ');
    expect(page).toContain('Chuyển bước');
    expect(page).toContain('Đề nghị phê duyệt');
    // A sweep while the approval waits asks nothing new.
    expect((await sweep('2026-10-31', 'TS0001A')).totals).toMatchObject({ AWAITING_APPROVAL: 1 });
    await approveFrom(ask);
    await stageOf('TS0001A', 'WORKING_SESSION');
    const invitation = await mail.next(employerMail, /^Giấy mời làm việc/);
    // The letter sent once approved carries the debt as evaluated, its oldest deadline included (interest
    // is still unposted on 30 October, so 0 đ is right here).
    expect(invitation.body.text).toContain('Hạn đóng sớm nhất chưa đóng: 30/09/2026');
  });

  it('closes the other case once it has paid in full, with a closing letter', async () => {
    await awsClients().dynamo.send(
      new PutCommand({
        TableName: 'Ledger',
        Item: storedLedgerRows('TS0002A', PARTITION, {
          type: 'PAYMENT',
          entryKey: 'PAYMENT#2026-11-03#UNC-77',
          date: '2026-11-03',
          amount: 2 * 19_580_000 + 200_000,
          ref: 'UNC-77',
        })[0]!,
      }),
    );
    expect((await sweep('2026-11-04', 'TS0002A')).totals).toMatchObject({ CLOSED: 1 });
    expect(await cases().currentCase('TS0002A')).toMatchObject({
      status: 'CLOSED',
      closeReason: 'PAID_IN_FULL',
    });
    await mail.next(EMPLOYERS[1]!.email, /^Kết thúc đôn đốc/);
    const feed = (await (await fetch(`${stack.webUrl}/cong-khai/cham-dong.json`)).json()) as {
      entries: { employerId: string }[];
    };
    expect(feed.entries.map((entry) => entry.employerId)).toEqual(['TS0001A']);
    expect((await sweep('2026-11-05')).totals).toMatchObject({ evaluated: 1 });
  });

  it('climbs the approval stages in order, each by its approvers, up to the criminal referral', async () => {
    const steps: [string, string, [string, RegExp][]][] = [
      ['2026-11-29', 'EVASION_NOTICE', [['binh.tv@bhxh-demo.vn', /trốn đóng/]]],
      [
        '2026-12-29',
        'INSPECTION',
        [
          ['binh.tv@bhxh-demo.vn', /thanh tra/],
          ['hoa.lt@bhxh-demo.vn', /thanh tra/],
        ],
      ],
      ['2027-01-28', 'ADMIN_PENALTY', [['hoa.lt@bhxh-demo.vn', /xử phạt/]]],
      [
        '2027-05-29',
        'CRIMINAL_REFERRAL',
        [
          ['binh.tv@bhxh-demo.vn', /Điều 216/],
          ['thanh.nv@bhxh-demo.vn', /Điều 216/],
        ],
      ],
    ];
    for (const [asOf, stage, approvers] of steps) {
      await sweep(asOf, 'TS0001A');
      for (const [to, about] of approvers) {
        const ask = await mail.next(to, /^Đề nghị phê duyệt/);
        expect(ask.subject).toMatch(about);
        if (stage === 'ADMIN_PENALTY')
          expect(ask.body.text).toContain('Mức phạt đề xuất (trốn đóng): 100.000.000 đ – 150.000.000 đ');
        if (stage === 'CRIMINAL_REFERRAL') {
          // Every one of Art. 216's conditions, with the case's own figures.
          expect(ask.body.text).toContain('Trốn đóng từ 6 tháng trở lên: 6 tháng (đạt)');
          expect(ask.body.text).toContain('Đã bị xử phạt vi phạm hành chính về hành vi này: có');
          expect(ask.body.text).toMatch(
            /Số tiền trốn đóng từ 50\.000\.000 đ: [\d.]+ đ; hoặc từ 10 người lao động: \d+ người/,
          );
        }
        await approveFrom(ask);
      }
      await stageOf('TS0001A', stage);
      if (stage === 'EVASION_NOTICE') {
        // Classed as evading: the employer is told, the labour authority and the inspectorate in copy.
        const notice = await mail.next(employerMail, /^Thông báo về việc trốn đóng/);
        expect(notice.destination.cc).toEqual(appConfig().EVASION_NOTICE_RECIPIENTS);
        expect(notice.body.text).toContain('Nơi nhận:');
        expect((await cases().currentCase('TS0001A'))?.documents?.EVASION_NOTICE).toMatchObject({
          status: 'SENT',
          informed: appConfig().EVASION_NOTICE_RECIPIENTS,
        });
      }
    }
    const listed = (await (await fetch(`${stack.webUrl}/cong-khai/cham-dong.json`)).json()) as {
      entries: { employerId: string; classification: string }[];
    };
    expect(listed.entries).toEqual([
      expect.objectContaining({ employerId: 'TS0001A', classification: 'TRON_DONG' }),
    ]);
    const trail = await cases().trail('TS0001A#2026-09');
    const reached = trail
      .filter((entry) => entry.what === 'STAGE_REACHED')
      .map((entry) => entry.details?.stage);
    expect(reached).toEqual([
      'REMINDER',
      'URGING_LETTER',
      'WORKING_SESSION',
      'EVASION_NOTICE',
      'INSPECTION',
      'ADMIN_PENALTY',
      'CRIMINAL_REFERRAL',
    ]);
    // Every approval is in the trail: who approved, by email link.
    const approvals = trail.filter((entry) => entry.what === 'APPROVED');
    expect(approvals.map((entry) => entry.who)).toEqual([
      'CB01',
      'CB01',
      'CB01',
      'TP01',
      'TP01',
      'CB01',
      'GD01',
    ]);
    expect(approvals.every((entry) => entry.channel === 'EMAIL_LINK')).toBe(true);
  }, 120_000);

  it('never put a task token in an email, a page or a log line', async () => {
    const { Items = [] } = await awsClients().dynamo.send(new ScanCommand({ TableName: 'Approvals' }));
    expect(Items.length).toBe(7); // the seven approvals of the ladder above
    // The listener saw every token, the stored (latest) ones among them.
    for (const item of Items) expect(issuedTokens).toContain(String(item.taskToken));
    const tokens = issuedTokens;
    for (const token of tokens) expect(token.length).toBeGreaterThan(20);
    const pages = await Promise.all(
      Items.map(async (item) => (await fetch(`${stack.webUrl}/approvals/${item.approvalId}`)).text()),
    );
    const everything = [JSON.stringify(await mail.mailbox()), ...pages, ...output.lines].join('\n');
    expect(everything).toContain('/approvals/'); // the links themselves are there
    expect(output.lines.join('')).toContain('"service":"dondoc"'); // the handlers' logs were captured
    for (const token of tokens) expect(everything).not.toContain(token);
  });
});
