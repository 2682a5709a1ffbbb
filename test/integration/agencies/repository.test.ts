/** The agency records as stored: what the review reads back, including records no organisation owns. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateReviewData } from '../../../functions/agencies/model.ts';
import { AgencyRepository } from '../../../functions/agencies/repository.ts';
import { reviewAgencies } from '../../../functions/agencies/review.ts';
import { awsClients } from '../../../functions/shared/aws.ts';
import { FREE_PORTS, startLocalStack, type LocalStack } from '../../../infra/local/stack.ts';
import { tempDataDir } from '../../infra/local/helpers.ts';

const data = tempDataDir();
let stack: LocalStack;

beforeAll(async () => {
  stack = await startLocalStack({ dataDir: data.dir, ports: FREE_PORTS, resume: false });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  data.remove();
});

const organisation = {
  code: 'TCDV001',
  name: 'Bưu điện xã A',
  communes: ['X1'],
  contract: { start: '2025-01-01', end: '2027-12-31' },
  targets: {
    weekly: { newBhxh: 0, newBhyt: 0, renewals: 0 },
    monthly: { newBhxh: 0, newBhyt: 0, renewals: 0 },
    quarterly: { newBhxh: 0, newBhyt: 0, renewals: 0 },
  },
};
const collector = (collectorId: string, organisationCode: string) => ({
  collectorId,
  nationalId: '079123456789',
  name: 'Nguyễn Văn An',
  organisationCode,
  registeredAt: '2025-03-01',
  pointIds: [],
});

describe('records filed under a code no organisation has', () => {
  it('are read back and set aside with the reason, not lost', async () => {
    const repository = new AgencyRepository(awsClients().dynamo);
    await repository.writeProvince({
      communes: ['X1'],
      organisations: [organisation],
      // The same person registered again under a mistyped code, and an enrolment filed there.
      collectors: [collector('NV1', 'TCDV001'), collector('NV9', 'TCDV999'), { collectorId: 'NV0' }],
      points: [],
      participants: [],
      enrolments: [
        {
          enrolmentId: 'E0',
          participantId: 'P1',
          product: 'BHXH_TN',
          kind: 'NEW',
          collectorId: 'NV1',
          organisationCode: 'TCDV001',
          commune: 'X1',
        },
        {
          enrolmentId: 'E9',
          participantId: 'P9',
          product: 'BHXH_TN',
          kind: 'NEW',
          collectorId: 'NV9',
          organisationCode: 'TCDV999',
          commune: 'X1',
          date: '2026-11-05',
        },
      ],
    });
    const raw = await repository.loadProvince('2025-12');
    expect(raw.enrolmentsFrom).toBe('2025-12');
    expect(raw.collectors.map((c) => c.collectorId).sort()).toEqual(['NV0', 'NV1', 'NV9']);
    const { data: kept, rejected } = validateReviewData(raw, '2026-12-03');
    expect(rejected).toEqual(
      expect.arrayContaining([
        { kind: 'collector', id: 'NV9', reason: 'unknown organisation TCDV999' },
        { kind: 'collector', id: 'NV0', reason: expect.stringContaining('nationalId') },
        { kind: 'enrolment', id: 'E9', reason: 'unknown or rejected collector NV9' },
      ]),
    );
    expect(kept.collectors.map((c) => c.collectorId)).toEqual(['NV1']);
    // An enrolment without a date (filed under no month) is read too, and holds back NV1's termination.
    expect(rejected).toContainEqual({
      kind: 'enrolment',
      id: 'E0',
      reason: 'date: must be a date YYYY-MM-DD',
    });
    expect(kept.setAsideEnrolments).toContainEqual({ collectorId: 'NV1', kind: 'NEW', date: null });
    const inactive = reviewAgencies(kept, '2026-11').findings.filter((f) => f.rule === 'INACTIVE_COLLECTOR');
    expect(inactive.map((f) => [f.subject, f.proposal])).toEqual([['NV1', undefined]]);
    // The organisation list is the organisations' own: the stray code is not one of them.
    expect(await repository.organisationCodes()).toEqual(['TCDV001']);
    expect(reviewAgencies(kept, '2026-11').kpis.map((k) => k.organisationCode)).toEqual(['TCDV001']);
  });
});
