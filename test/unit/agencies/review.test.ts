import { describe, expect, it } from 'vitest';
import { dueList } from '../../../functions/agencies/due-list.ts';
import {
  enrolmentSchema,
  isCanonicalEnrolment,
  validateReviewData,
  type Collector,
  type CollectionPoint,
  type Enrolment,
  type Organisation,
  type Participant,
  type ReviewData,
} from '../../../functions/agencies/model.ts';
import { contractReviewsDue, reviewAgencies, type FindingRule } from '../../../functions/agencies/review.ts';

const MONTH = '2026-11';
const targets = (n: number) => ({ newBhxh: n, newBhyt: n, renewals: n });
const org = (code: string, communes: string[], over: Partial<Organisation> = {}): Organisation => ({
  code,
  name: `Tổ chức ${code}`,
  communes,
  contract: { start: '2025-01-01', end: '2027-12-31' },
  targets: { weekly: targets(1), monthly: targets(4), quarterly: targets(12) },
  ...over,
});
const collector = (
  collectorId: string,
  organisationCode: string,
  over: Partial<Collector> = {},
): Collector => ({
  collectorId,
  nationalId: `0${collectorId.replace(/\D/g, '').padStart(11, '0')}`,
  name: `Nhân viên ${collectorId}`,
  organisationCode,
  registeredAt: '2025-01-10',
  pointIds: [],
  ...over,
});
const point = (
  pointId: string,
  organisationCode: string,
  commune: string,
  signboard = true,
): CollectionPoint => ({
  pointId,
  organisationCode,
  commune,
  signboard,
});
const bhxh = (participantId: string, managedBy: string, over: Partial<Participant> = {}): Participant =>
  ({
    participantId,
    name: `Người ${participantId}`,
    product: 'BHXH_TN',
    managedBy,
    commune: 'C1',
    paymentMode: 1,
    paidThrough: '2026-10',
    ...over,
  }) as Participant;
let next = 0;
const enrol = (
  collectorId: string,
  organisationCode: string,
  date: string,
  over: Partial<Enrolment> = {},
): Enrolment => ({
  enrolmentId: `E${++next}`,
  participantId: 'P1',
  product: 'BHXH_TN',
  kind: 'NEW',
  collectorId,
  organisationCode,
  commune: 'C1',
  date,
  ...over,
});

function data(over: Partial<ReviewData>): ReviewData {
  return {
    communes: ['C1', 'C2'],
    organisations: [org('ORG1', ['C1', 'C2']), org('ORG2', ['C2'])],
    collectors: [],
    points: [point('D1', 'ORG1', 'C1'), point('D2', 'ORG2', 'C2')],
    participants: [bhxh('P1', 'ORG1')],
    enrolments: [],
    ...over,
  };
}

const found = (review: ReturnType<typeof reviewAgencies>, rule: FindingRule) =>
  review.findings.filter((f) => f.rule === rule);

describe('a collector with no new participant for 6 consecutive months', () => {
  it('is proposed for termination at 6 months; 5 months is not 6', () => {
    const review = reviewAgencies(
      data({
        collectors: [collector('N1', 'ORG1'), collector('N2', 'ORG1')],
        enrolments: [enrol('N1', 'ORG1', '2026-05-28'), enrol('N2', 'ORG1', '2026-06-02')],
      }),
      MONTH,
    );
    const inactive = found(review, 'INACTIVE_COLLECTOR');
    expect(inactive.map((f) => f.subject)).toEqual(['N1']);
    expect(inactive[0]).toMatchObject({
      organisationCode: 'ORG1',
      proposal: 'TERMINATE_COLLECTOR',
      evidence: {
        lastNewParticipant: '2026-05-28',
        monthsWithoutNewParticipant: 6,
        months: ['2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11'],
      },
    });
  });

  it('counts from registration when there was none, and renewals are not new participants', () => {
    const review = reviewAgencies(
      data({
        collectors: [
          collector('N3', 'ORG1', { registeredAt: '2026-05-20' }),
          collector('N4', 'ORG1', { registeredAt: '2026-06-01' }),
          collector('N5', 'ORG1', { registeredAt: '2026-01-05' }),
          collector('N6', 'ORG1', { registeredAt: '2026-01-05', leftAt: '2026-10-31' }),
        ],
        enrolments: [enrol('N5', 'ORG1', '2026-11-20', { kind: 'RENEWAL' })],
      }),
      MONTH,
    );
    expect(found(review, 'INACTIVE_COLLECTOR').map((f) => f.subject)).toEqual(['N3', 'N5']);
  });
});

describe('a collector’s inactivity, when records are missing', () => {
  it('says "at least" when the last new participant is before the months read, not a count from registration', () => {
    const review = reviewAgencies(
      data({
        collectors: [collector('N1', 'ORG1', { registeredAt: '2024-01-10' })],
        enrolmentsFrom: '2025-12',
      }),
      MONTH,
    );
    expect(found(review, 'INACTIVE_COLLECTOR')[0]).toMatchObject({
      proposal: 'TERMINATE_COLLECTOR',
      evidence: {
        lastNewParticipant: null,
        lastNewBefore: '2025-12',
        atLeast: true,
        monthsWithoutNewParticipant: 12,
      },
    });
    // Registered inside the months read: the count is exact.
    const recent = reviewAgencies(
      data({
        collectors: [collector('N2', 'ORG1', { registeredAt: '2026-02-10' })],
        enrolmentsFrom: '2025-12',
      }),
      MONTH,
    );
    expect(found(recent, 'INACTIVE_COLLECTOR')[0]!.evidence).toMatchObject({
      atLeast: false,
      monthsWithoutNewParticipant: 9,
    });
  });

  it('holds back the termination when a new participant of the collector was set aside', () => {
    const { data: kept, rejected } = validateReviewData(
      {
        communes: ['C1', 'C2'],
        organisations: [org('ORG1', ['C1'])],
        collectors: [collector('N1', 'ORG1'), collector('N2', 'ORG1')],
        points: [point('D1', 'ORG1', 'C1')],
        participants: [bhxh('P7', 'ORG1', { paymentMode: 2 as never }), bhxh('P1', 'ORG1')],
        enrolments: [
          // N1's new participant of October: its participant's record is wrong, the enrolment set aside.
          enrol('N1', 'ORG1', '2026-10-15', { participantId: 'P7' }),
          // N2's set-aside enrolments are a renewal and a new one from before the six months.
          enrol('N2', 'ORG1', '2026-10-15', { participantId: 'P7', kind: 'RENEWAL' }),
          enrol('N2', 'ORG1', '2024-11-15', { participantId: 'P7' }),
        ],
      },
      '2026-12-03',
    );
    expect(rejected.filter((r) => r.kind === 'enrolment')).toHaveLength(3);
    const inactive = found(reviewAgencies(kept, MONTH), 'INACTIVE_COLLECTOR');
    expect(inactive.map((f) => [f.subject, f.proposal, f.evidence.setAsideNewEnrolments])).toEqual([
      ['N1', undefined, 1],
      ['N2', 'TERMINATE_COLLECTOR', undefined],
    ]);
  });

  it('keeps no collector active with "new" enrolments of another organisation’s participant', () => {
    const review = reviewAgencies(
      data({
        collectors: [collector('N1', 'ORG1'), collector('N2', 'ORG2')],
        participants: [bhxh('P1', 'ORG1'), bhxh('P2', 'ORG2')],
        enrolments: [
          enrol('N2', 'ORG2', '2026-10-20', { participantId: 'P1', commune: 'C2' }),
          enrol('N1', 'ORG1', '2026-10-20', { participantId: 'P1' }),
        ],
      }),
      MONTH,
    );
    expect(found(review, 'INACTIVE_COLLECTOR').map((f) => f.subject)).toEqual(['N2']);
  });

  it('holds it back for an unreadable enrolment of the collector too', () => {
    const { data: kept } = validateReviewData(
      {
        communes: ['C1'],
        organisations: [org('ORG1', ['C1'])],
        collectors: [collector('N1', 'ORG1')],
        points: [],
        participants: [bhxh('P1', 'ORG1')],
        enrolments: [
          { ...enrol('N1', 'ORG1', '2026-13-01'), kind: 'NEW' },
          { ...enrol('N1', 'ORG1', '2026-11-10'), kind: 'new' },
        ],
      },
      '2026-12-03',
    );
    expect(kept.setAsideEnrolments).toEqual([
      { collectorId: 'N1', kind: 'NEW', date: null },
      // A kind that is not surely a renewal may have been a new participant.
      { collectorId: 'N1', kind: null, date: '2026-11-10' },
    ]);
    expect(found(reviewAgencies(kept, MONTH), 'INACTIVE_COLLECTOR')[0]!.proposal).toBeUndefined();
  });
});

describe('one collector, two organisations', () => {
  it('flags the same national ID registered with two organisations, for both', () => {
    const review = reviewAgencies(
      data({
        collectors: [
          collector('N1', 'ORG1', { nationalId: '079123456789' }),
          collector('N9', 'ORG2', { nationalId: '079123456789' }),
        ],
      }),
      MONTH,
    );
    const twice = found(review, 'COLLECTOR_IN_TWO_ORGANISATIONS');
    expect(twice.map((f) => f.organisationCode)).toEqual(['ORG1', 'ORG2']);
    expect(twice[0]!.evidence).toMatchObject({ nationalId: '079123456789', organisations: ['ORG1', 'ORG2'] });
  });

  it('does not flag a national ID twice in one organisation, or one that left the other', () => {
    const review = reviewAgencies(
      data({
        collectors: [
          collector('N1', 'ORG1', { nationalId: '079123456789' }),
          collector('N2', 'ORG1', { nationalId: '079123456789' }),
          collector('N3', 'ORG1', { nationalId: '079000000001' }),
          collector('N4', 'ORG2', { nationalId: '079000000001', leftAt: '2026-09-30' }),
        ],
      }),
      MONTH,
    );
    expect(found(review, 'COLLECTOR_IN_TWO_ORGANISATIONS')).toEqual([]);
  });

  it('flags registrations that overlap for a few days of the month, not ones that follow each other', () => {
    const review = reviewAgencies(
      data({
        collectors: [
          // Both registered from the 5th to the 19th of November.
          collector('N1', 'ORG1', { nationalId: '079123456789', leftAt: '2026-11-20' }),
          collector('N9', 'ORG2', { nationalId: '079123456789', registeredAt: '2026-11-05' }),
          // One left on the 10th, the other registered that day: never both.
          collector('N3', 'ORG1', { nationalId: '079000000003', leftAt: '2026-11-10' }),
          collector('N4', 'ORG2', { nationalId: '079000000003', registeredAt: '2026-11-10' }),
        ],
      }),
      MONTH,
    );
    const twice = found(review, 'COLLECTOR_IN_TWO_ORGANISATIONS');
    expect(twice.map((f) => [f.subject, f.organisationCode])).toEqual([
      ['079123456789', 'ORG1'],
      ['079123456789', 'ORG2'],
    ]);
  });
});

describe('communes and points', () => {
  it('flags collection outside the registered communes, not inside them or in an earlier month', () => {
    const review = reviewAgencies(
      data({
        collectors: [collector('N1', 'ORG2')],
        enrolments: [
          enrol('N1', 'ORG2', '2026-11-03', { commune: 'C1' }),
          enrol('N1', 'ORG2', '2026-11-04', { commune: 'C1' }),
          enrol('N1', 'ORG2', '2026-11-05', { commune: 'C2' }),
          enrol('N1', 'ORG2', '2026-10-30', { commune: 'C1' }),
        ],
      }),
      MONTH,
    );
    const outside = found(review, 'OUTSIDE_REGISTERED_COMMUNES');
    expect(outside).toHaveLength(1);
    expect(outside[0]).toMatchObject({
      organisationCode: 'ORG2',
      subject: 'C1',
      evidence: { enrolments: 2 },
    });
  });

  it('lists communes without a collection point and points without a signboard', () => {
    const review = reviewAgencies(
      data({
        communes: ['C1', 'C2', 'C3'],
        points: [point('D1', 'ORG1', 'C1', false), point('D2', 'ORG2', 'C2')],
      }),
      MONTH,
    );
    expect(found(review, 'COMMUNE_WITHOUT_POINT').map((f) => f.subject)).toEqual(['C3']);
    expect(found(review, 'POINT_WITHOUT_SIGNBOARD').map((f) => [f.subject, f.organisationCode])).toEqual([
      ['D1', 'ORG1'],
    ]);
  });
});

describe('enrolments of another organisation’s participants', () => {
  it('flags a renewal or a "new" enrolment by another organisation; the managing one’s own are fine', () => {
    const review = reviewAgencies(
      data({
        collectors: [collector('N1', 'ORG1'), collector('N2', 'ORG2')],
        participants: [bhxh('P1', 'ORG1'), bhxh('P2', 'ORG2')],
        enrolments: [
          enrol('N2', 'ORG2', '2026-11-10', { participantId: 'P1', kind: 'RENEWAL', commune: 'C2' }),
          enrol('N1', 'ORG1', '2026-11-11', { participantId: 'P1', kind: 'RENEWAL' }),
          enrol('N2', 'ORG2', '2026-11-12', { participantId: 'P1', kind: 'NEW', commune: 'C2' }),
        ],
      }),
      MONTH,
    );
    const foreign = found(review, 'RENEWAL_BY_OTHER_ORGANISATION');
    expect(foreign).toHaveLength(1);
    expect(foreign[0]!.evidence).toMatchObject({
      participantId: 'P1',
      managedBy: 'ORG1',
      collectedBy: 'ORG2',
      date: '2026-11-10',
    });
    const notNew = found(review, 'NEW_PARTICIPANT_OF_OTHER_ORGANISATION');
    expect(notNew.map((f) => [f.organisationCode, f.evidence.date])).toEqual([['ORG2', '2026-11-12']]);
    // Neither counts towards ORG2's targets; ORG1 has its own renewal.
    const kpi = (code: string) => review.kpis.find((k) => k.organisationCode === code)!.month.actual;
    expect(kpi('ORG2')).toEqual({ newBhxh: 0, newBhyt: 0, renewals: 0 });
    expect(kpi('ORG1')).toEqual({ newBhxh: 0, newBhyt: 0, renewals: 1 });
  });
});

describe('KPIs against the committed targets', () => {
  // Each enrolment of its own participant, managed by the organisation that enrolled it.
  const own = (enrolments: Enrolment[]) => {
    const mine = enrolments.map((e, i) => ({ ...e, participantId: `Q${i}` }));
    return { enrolments: mine, participants: mine.map((e) => bhxh(e.participantId, e.organisationCode)) };
  };

  it('counts the month, the quarter to date and the weeks, and ranks organisations by completion', () => {
    const enrolments = [
      ...['2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23'].flatMap((date) => [
        enrol('N1', 'ORG1', date),
        enrol('N1', 'ORG1', date, { product: 'BHYT_HGD' }),
        enrol('N1', 'ORG1', date, { kind: 'RENEWAL' }),
      ]),
      enrol('N1', 'ORG1', '2026-10-15'),
      enrol('N2', 'ORG2', '2026-11-03', { commune: 'C2' }),
    ];
    const review = reviewAgencies(
      data({ collectors: [collector('N1', 'ORG1'), collector('N2', 'ORG2')], ...own(enrolments) }),
      MONTH,
    );
    const [first, second] = review.kpis;
    expect(first).toMatchObject({
      organisationCode: 'ORG1',
      month: {
        actual: { newBhxh: 4, newBhyt: 4, renewals: 4 },
        percent: { newBhxh: 100, newBhyt: 100, renewals: 100 },
      },
      quarterToDate: {
        quarter: '2026-Q4',
        monthsElapsed: 2,
        actual: { newBhxh: 5, newBhyt: 4, renewals: 4 },
      },
      // Weeks ending on the Sundays of November 2026: the 1st, 8th, 15th, 22nd and 29th.
      weeks: { met: 4, of: 5 },
      score: 100,
      collectors: [{ collectorId: 'N1', newParticipants: 8, renewals: 4 }],
    });
    expect(second).toMatchObject({
      organisationCode: 'ORG2',
      score: 8,
      month: { percent: { newBhxh: 25, newBhyt: 0 } },
    });
    expect(found(review, 'TARGET_MISSED').map((f) => f.organisationCode)).toEqual(['ORG2']);
  });

  it('counts a week that began in the previous quarter in that week, not in the month or the quarter', () => {
    // October 2026: the first week ending in it runs from Monday 28 September to Sunday 4 October.
    const enrolments = [
      enrol('N1', 'ORG1', '2026-09-29'),
      enrol('N1', 'ORG1', '2026-09-29', { kind: 'RENEWAL' }),
    ];
    const review = reviewAgencies(
      data({
        organisations: [
          org('ORG1', ['C1'], {
            targets: { weekly: targets(1), monthly: targets(0), quarterly: targets(0) },
          }),
        ],
        collectors: [collector('N1', 'ORG1')],
        enrolments,
      }),
      '2026-10',
    );
    const [kpi] = review.kpis;
    expect(kpi!.month.actual).toEqual({ newBhxh: 0, newBhyt: 0, renewals: 0 });
    expect(kpi!.quarterToDate.actual).toEqual({ newBhxh: 0, newBhyt: 0, renewals: 0 });
    // The first week has a new BHXH participant and a renewal but no BHYT: it misses the weekly targets,
    // and meets them once the weekly BHYT target is 0, which only counting its September days can do.
    expect(kpi!.weeks).toEqual({ met: 0, of: 4 });
    const bhytFree = reviewAgencies(
      data({
        organisations: [
          org('ORG1', ['C1'], {
            targets: {
              weekly: { newBhxh: 1, newBhyt: 0, renewals: 1 },
              monthly: targets(0),
              quarterly: targets(0),
            },
          }),
        ],
        collectors: [collector('N1', 'ORG1')],
        enrolments,
      }),
      '2026-10',
    );
    expect(bhytFree.kpis[0]!.weeks).toEqual({ met: 1, of: 4 });
  });

  it('counts a new participant once per product, however many "new" enrolments it has', () => {
    const review = reviewAgencies(
      data({
        collectors: [collector('N1', 'ORG1')],
        enrolments: [
          enrol('N1', 'ORG1', '2026-10-20'),
          enrol('N1', 'ORG1', '2026-11-05'),
          enrol('N1', 'ORG1', '2026-11-06'),
          enrol('N1', 'ORG1', '2026-11-06', { product: 'BHYT_HGD' }),
          enrol('N1', 'ORG1', '2026-11-07', { kind: 'RENEWAL' }),
          enrol('N1', 'ORG1', '2026-11-20', { kind: 'RENEWAL' }),
        ],
      }),
      MONTH,
    );
    const [kpi] = review.kpis;
    expect(kpi).toMatchObject({
      organisationCode: 'ORG1',
      month: { actual: { newBhxh: 1, newBhyt: 1, renewals: 2 } },
      // October's and November's "new" BHXH enrolment of the same person: one new participant this quarter.
      quarterToDate: { actual: { newBhxh: 1, newBhyt: 1, renewals: 2 } },
      collectors: [{ collectorId: 'N1', newParticipants: 2, renewals: 2 }],
    });
  });
});

describe('bad records', () => {
  it('sets each one aside with its reason; the rest of the review goes on', () => {
    const { data: kept, rejected } = validateReviewData(
      {
        communes: ['C1', 'C2'],
        organisations: [org('ORG1', ['C1']), org('ORG3', ['C9'])],
        collectors: [
          collector('N1', 'ORG1'),
          { ...collector('N2', 'ORG1'), nationalId: undefined },
          { ...collector('N3', 'ORG1'), nationalId: '12345' },
        ],
        points: [point('D1', 'ORG1', 'C1'), point('D2', 'ORG1', 'C7')],
        participants: [bhxh('P1', 'ORG1'), bhxh('P2', 'ORG1', { paymentMode: 2 as never })],
        enrolments: [
          enrol('N1', 'ORG1', '2026-11-05'),
          enrol('N1', 'ORG1', '2026-12-24'),
          enrol('N2', 'ORG1', '2026-11-06'),
          enrol('N1', 'ORG1', '2026-11-07', { commune: 'C8' }),
        ],
      },
      '2026-12-03',
    );
    expect(rejected).toEqual([
      { kind: 'organisation', id: 'ORG3', reason: 'unknown commune C9' },
      { kind: 'collector', id: 'N2', reason: 'nationalId: national ID (CCCD) is required' },
      { kind: 'collector', id: 'N3', reason: 'nationalId: national ID (CCCD) must be 12 digits' },
      { kind: 'point', id: 'D2', reason: 'unknown commune C7' },
      {
        kind: 'participant',
        id: 'P2',
        reason: expect.stringContaining('payment mode is 1, 3, 6 or 12 months'),
      },
      {
        kind: 'enrolment',
        id: expect.any(String),
        reason: 'dated 2026-12-24, after the review date 2026-12-03',
      },
      { kind: 'enrolment', id: expect.any(String), reason: 'unknown or rejected collector N2' },
      { kind: 'enrolment', id: expect.any(String), reason: 'unknown commune C8' },
    ]);
    expect(kept.collectors.map((c) => c.collectorId)).toEqual(['N1']);
    expect(kept.enrolments).toHaveLength(1);
    expect(reviewAgencies(kept, MONTH).kpis.map((k) => k.organisationCode)).toEqual(['ORG1']);
  });
});

const isDeepStrictEqualIgnoringOrder = (a: unknown, b: unknown) =>
  JSON.stringify(Object.entries(a as object).sort()) === JSON.stringify(Object.entries(b as object).sort());

describe('an enrolment kept as it is', () => {
  const valid = enrol('N1', 'ORG1', '2026-11-05');
  // Each variant changes one thing; the schema decides what it becomes or why it is refused.
  const variants: [string, unknown][] = [
    ['as stored', valid],
    ['key order', Object.fromEntries(Object.entries(valid).reverse())],
    ['a code to trim', { ...valid, collectorId: ' N1 ' }],
    ['an empty code', { ...valid, participantId: '' }],
    ['a blank code', { ...valid, commune: '   ' }],
    ['a number for a code', { ...valid, enrolmentId: 7 }],
    ['an extra key', { ...valid, note: 'x' }],
    ['a missing key', (({ kind: _kind, ...rest }) => rest)(valid)],
    ['an unknown product', { ...valid, product: 'BHXH' }],
    ['an unknown kind', { ...valid, kind: 'new' }],
    ['an impossible date', { ...valid, date: '2026-02-30' }],
    ['a date with time', { ...valid, date: '2026-11-05T00:00:00Z' }],
    ['null', null],
    ['an array', [valid]],
  ];

  it.each(variants)('%s: kept exactly when the schema would return it unchanged', (_label, item) => {
    const parsed = enrolmentSchema.safeParse(item);
    // Same keys and values in any order: a trimmed code or a stripped key is a change.
    const unchanged = parsed.success && isDeepStrictEqualIgnoringOrder(parsed.data, item);
    expect(isCanonicalEnrolment(item)).toBe(unchanged);
  });

  it('the review gets the schema’s result for each variant, the kept record itself when canonical', () => {
    const enrolments = variants.map(([, item]) => item);
    const { data, rejected } = validateReviewData(
      {
        communes: ['C1'],
        organisations: [org('ORG1', ['C1'])],
        collectors: [collector('N1', 'ORG1')],
        points: [],
        participants: [bhxh('P1', 'ORG1')],
        enrolments,
      },
      '2026-12-03',
    );
    const expected = enrolments.flatMap((item) => {
      const parsed = enrolmentSchema.safeParse(item);
      return parsed.success ? [parsed.data] : [];
    });
    expect(data.enrolments).toEqual(expected);
    expect(data.enrolments[0]).toBe(valid);
    expect(rejected.map((r) => r.kind)).toEqual(Array(enrolments.length - expected.length).fill('enrolment'));
    expect(rejected.map((r) => r.reason)).toContain('date: must be a date YYYY-MM-DD');
  });
});

describe('D08a-TS: who falls due next month', () => {
  const participants: Participant[] = [
    bhxh('M1', 'ORG1', { paymentMode: 1, paidThrough: '2026-11' }),
    bhxh('M3', 'ORG1', { paymentMode: 3, paidThrough: '2026-09' }),
    bhxh('M6', 'ORG1', { paymentMode: 6, paidThrough: '2026-10' }),
    bhxh('M12', 'ORG2', { paymentMode: 12, paidThrough: '2026-06' }),
    bhxh('PAID', 'ORG1', { paymentMode: 1, paidThrough: '2026-12' }),
    {
      participantId: 'Y1',
      name: 'Hộ Y1',
      product: 'BHYT_HGD',
      managedBy: 'ORG2',
      commune: 'C2',
      cardExpiry: '2026-12-15',
    },
    {
      participantId: 'Y2',
      name: 'Hộ Y2',
      product: 'BHYT_HGD',
      managedBy: 'ORG2',
      commune: 'C2',
      cardExpiry: '2027-01-01',
    },
  ];

  it('lists voluntary BHXH within its payment window, the last month marked, and BHYT cards expiring', () => {
    const lists = dueList(participants, '2026-12');
    expect(lists.get('ORG1')!.map((e) => [e.participantId, e.period?.payBy, e.lastMonth])).toEqual([
      ['M1', '2026-12', true],
      // 3-monthly from October: October to December.
      ['M3', '2026-12', true],
      // 6-monthly from November: the first 4 months, to February.
      ['M6', '2027-02', false],
    ]);
    expect(lists.get('ORG2')!.map((e) => [e.participantId, e.period?.payBy ?? e.cardExpiry])).toEqual([
      // 12-monthly from July: the first 7 months, to January.
      ['M12', '2027-01'],
      ['Y1', '2026-12-15'],
    ]);
  });

  it('drops a period once its window has closed', () => {
    const lists = dueList(participants, '2027-03');
    expect([...lists.values()].flat().map((e) => e.participantId)).toEqual([]);
    expect(
      dueList(participants, '2027-02')
        .get('ORG1')!
        .map((e) => [e.participantId, e.lastMonth]),
    ).toEqual([['M6', true]]);
  });
});

describe('contract reviews', () => {
  it('fall due every six months of a contract, its first month counted, and within 60 days of its end', () => {
    const contract = (start: string, end: string) => ({ contract: { start, end } });
    const enrolments = [
      enrol('N1', 'SIX', '2026-06-01', { participantId: 'S1' }),
      enrol('N1', 'SIX', '2026-07-10', { participantId: 'S2' }),
      enrol('N1', 'SIX', '2026-08-10', { participantId: 'S2' }), // the same new participant again
      enrol('N1', 'SIX', '2026-09-10', { participantId: 'P1' }), // another organisation's
      enrol('N1', 'SIX', '2026-05-31', { participantId: 'S3' }), // before the contract
    ];
    const due = contractReviewsDue(
      data({
        organisations: [
          org('SIX', ['C1'], contract('2026-06-01', '2028-05-31')),
          org('FIVE', ['C1'], contract('2026-07-01', '2028-06-30')),
          org('SEVEN', ['C1'], contract('2026-05-01', '2028-04-30')),
          org('TWELVE', ['C1'], contract('2025-12-15', '2027-12-14')),
          org('ENDING', ['C1'], contract('2025-02-01', '2027-01-31')),
          org('LATER', ['C1'], contract('2025-02-01', '2027-02-02')),
        ],
        collectors: [collector('N1', 'SIX')],
        participants: [bhxh('P1', 'ORG1'), bhxh('S1', 'SIX'), bhxh('S2', 'SIX'), bhxh('S3', 'SIX')],
        enrolments,
      }),
      MONTH,
      '2026-12-03',
      [],
    );
    expect(due.map((d) => [d.organisationCode, d.reason, d.key])).toEqual([
      ['SIX', 'SIX_MONTHLY', 'SIX_MONTHLY#2026-11'],
      ['TWELVE', 'SIX_MONTHLY', 'SIX_MONTHLY#2026-11'],
      ['ENDING', 'ENDING', 'ENDING#2027-01-31'],
    ]);
    // The contract's first six months, June to November (the month it was signed in included), against
    // six times the monthly targets; a participant counts once, another organisation's not at all.
    expect(due[0]).toMatchObject({
      period: { from: '2026-06', to: '2026-11' },
      figures: { actual: { newBhxh: 2 }, target: { newBhxh: 24 } },
    });
  });
});
