/**
 * Who a stage's document reaches (sweep.ts `deliver`): the evasion notice informs the labour authority and
 * the inspectorate, the urging letter the case's officer, whether or not the employer has an email; other
 * stages reach only their audience.
 */
import { describe, expect, it } from 'vitest';
import type { CaseFacts, OfficeSettings } from '../../../functions/escalation/documents.ts';
import type { CaseDocument, EscalationRepository } from '../../../functions/escalation/repository.ts';
import { deliver } from '../../../functions/escalation/sweep.ts';
import type { OutgoingEmail, SendOutcome } from '../../../functions/shared/email.ts';

const AUTHORITIES = ['laodong@lamdong.gov.vn', 'thanhtra@lamdong.gov.vn'];
const office: OfficeSettings = {
  name: 'Bảo hiểm xã hội tỉnh Lâm Đồng',
  sender: 'thongbao@bhxh-demo.vn',
  evasionRecipients: AUTHORITIES,
};
const facts: CaseFacts = {
  caseId: 'TS0001A#2026-09',
  employerId: 'TS0001A',
  employerName: 'Công ty TNHH Minh Phát',
  overdueVnd: 41_000_000,
  overdueInterestVnd: 1_000_000,
  daysLate: 61,
  oldestOverdueDueDate: '2026-09-30',
  asOf: '2026-11-29',
};

const SENT: SendOutcome = { status: 'SENT', messageId: 'm-1' };
const REJECTED: SendOutcome = { status: 'REJECTED', reason: 'MessageRejected: bad address' };

const OFFICER = {
  officerId: 'CB01',
  name: 'Trần Văn Bình',
  email: 'binh.tv@bhxh-demo.vn',
  role: 'OFFICER' as const,
};
let officerOnRecord: typeof OFFICER | undefined;

/** `outcomes`: what SES answers each send in turn (the last one repeats). */
function world(...outcomes: SendOutcome[]) {
  if (outcomes.length === 0) outcomes.push(SENT);
  const sent: OutgoingEmail[] = [];
  const recorded: [string, CaseDocument][] = [];
  const cases = {
    markDocument: async (_employerId: string, key: string, document: CaseDocument) => {
      recorded.push([key, document]);
    },
    officer: async (officerId: string) =>
      officerOnRecord?.officerId === officerId ? officerOnRecord : undefined,
  } as unknown as EscalationRepository;
  const deps = {
    cases,
    send: async (mail: OutgoingEmail) => (
      sent.push(mail),
      outcomes[Math.min(sent.length, outcomes.length) - 1]!
    ),
    office,
    now: () => '2026-11-29T01:00:00.000Z',
  };
  return { deps, sent, recorded };
}

const kase = { employerId: 'TS0001A', caseId: 'TS0001A#2026-09', officerId: 'CB01' };

describe('deliver', () => {
  it('sends the evasion notice to the employer with the authorities in copy, and records them', async () => {
    const { deps, sent, recorded } = world();
    await deliver(deps, kase, { email: 'ketoan@minhphat.vn' }, 'EVASION_NOTICE', facts, facts.asOf);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ to: ['ketoan@minhphat.vn'], cc: AUTHORITIES });
    expect(sent[0]!.text).toContain('Nơi nhận:');
    for (const address of AUTHORITIES) expect(sent[0]!.text).toContain(address);
    expect(recorded).toEqual([
      ['EVASION_NOTICE', { status: 'SENT', at: deps.now(), messageId: 'm-1', informed: AUTHORITIES }],
    ]);
  });

  it('still informs the authorities when the employer has no email; the employer is sent it by post', async () => {
    const { deps, sent, recorded } = world();
    await deliver(deps, kase, { email: undefined }, 'EVASION_NOTICE', facts, facts.asOf);
    expect(sent.map((mail) => [mail.to, mail.cc])).toEqual([[AUTHORITIES, undefined]]);
    expect(recorded).toEqual([
      [
        'EVASION_NOTICE',
        { status: 'POSTAL', at: deps.now(), informed: AUTHORITIES, informedMessageId: 'm-1' },
      ],
    ]);
  });

  it('tells the authorities alone when SES refuses the message with the employer on it', async () => {
    const { deps, sent, recorded } = world(REJECTED, SENT);
    await deliver(deps, kase, { email: 'ketoan@minhphat.vn' }, 'EVASION_NOTICE', facts, facts.asOf);
    expect(sent.map((mail) => [mail.to, mail.cc])).toEqual([
      [['ketoan@minhphat.vn'], AUTHORITIES],
      [AUTHORITIES, undefined],
    ]);
    expect(recorded).toEqual([
      [
        'EVASION_NOTICE',
        { status: 'POSTAL', at: deps.now(), informed: AUTHORITIES, informedMessageId: 'm-1' },
      ],
    ]);
  });

  it('records no one informed when SES refuses the authorities too', async () => {
    const { deps, sent, recorded } = world(REJECTED);
    await deliver(deps, kase, { email: 'ketoan@minhphat.vn' }, 'EVASION_NOTICE', facts, facts.asOf);
    expect(sent).toHaveLength(2);
    expect(recorded).toEqual([['EVASION_NOTICE', { status: 'POSTAL', at: deps.now() }]]);
  });

  it('copies no one on the other stages', async () => {
    const { deps, sent } = world();
    await deliver(deps, kase, { email: 'ketoan@minhphat.vn' }, 'WORKING_SESSION', facts, facts.asOf);
    expect(sent[0]).toMatchObject({ to: ['ketoan@minhphat.vn'], cc: undefined });
    expect(sent[0]!.text).not.toContain('Nơi nhận:');
  });

  it('sends the urging letter to the employer with the case officer in copy (officer informed)', async () => {
    officerOnRecord = OFFICER;
    const { deps, sent, recorded } = world();
    await deliver(deps, kase, { email: 'ketoan@minhphat.vn' }, 'URGING_LETTER', facts, facts.asOf);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ to: ['ketoan@minhphat.vn'], cc: [OFFICER.email] });
    expect(sent[0]!.attachments.map((a) => a.contentType)).toEqual(['application/pdf']);
    expect(recorded).toEqual([
      ['URGING_LETTER', { status: 'SENT', at: deps.now(), messageId: 'm-1', informed: [OFFICER.email] }],
    ]);
  });

  it('sends the officer the urging letter alone when the employer gets it by post', async () => {
    officerOnRecord = OFFICER;
    const { deps, sent, recorded } = world();
    await deliver(deps, kase, { email: undefined }, 'URGING_LETTER', facts, facts.asOf);
    expect(sent.map((mail) => [mail.to, mail.cc])).toEqual([[[OFFICER.email], undefined]]);
    expect(recorded).toEqual([
      [
        'URGING_LETTER',
        { status: 'POSTAL', at: deps.now(), informed: [OFFICER.email], informedMessageId: 'm-1' },
      ],
    ]);
  });

  it('sends the urging letter to the employer alone when the case has no officer on record', async () => {
    officerOnRecord = undefined;
    const { deps, sent } = world();
    await deliver(deps, kase, { email: 'ketoan@minhphat.vn' }, 'URGING_LETTER', facts, facts.asOf);
    expect(sent.map((mail) => [mail.to, mail.cc])).toEqual([[['ketoan@minhphat.vn'], undefined]]);
  });
});
