/** The demo province's review: every planted breach found with its near miss left alone, clean organisations, bad records set aside. */
import { describe, expect, it } from 'vitest';
import { validateReviewData } from '../../../functions/agencies/model.ts';
import { reviewAgencies, type FindingRule } from '../../../functions/agencies/review.ts';
import { generateAgencyProvince } from '../../../infra/local/seed-agencies.ts';

const province = generateAgencyProvince({ asOf: '2026-12-03' });
const { data, rejected } = validateReviewData(province, '2026-12-03');
const review = reviewAgencies(data, '2026-11');
const subjects = (rule: FindingRule) => review.findings.filter((f) => f.rule === rule).map((f) => f.subject);

describe('the demo province', () => {
  it('has the size the issue asks for', () => {
    expect(province.organisations).toHaveLength(20);
    expect(data.collectors).toHaveLength(300);
    expect(province.communes).toHaveLength(40);
    expect(data.participants).toHaveLength(10_000);
  });

  it('sets the three bad records aside with their reasons, and keeps the rest', () => {
    const { badRecords } = province.planted;
    expect(rejected).toEqual([
      {
        kind: 'collector',
        id: badRecords.collectorId,
        reason: 'nationalId: national ID (CCCD) must be 12 digits',
      },
      { kind: 'point', id: badRecords.pointId, reason: 'unknown commune XA9999' },
      {
        kind: 'enrolment',
        id: badRecords.enrolmentId,
        reason: 'dated 2026-12-13, after the review date 2026-12-03',
      },
    ]);
  });

  it('finds every planted breach, and not the near miss', () => {
    const { planted } = province;
    expect(subjects('INACTIVE_COLLECTOR').sort()).toEqual([...planted.inactiveCollectors].sort());
    expect(subjects('INACTIVE_COLLECTOR')).not.toContain(planted.nearMissCollector);
    expect(
      review.findings
        .filter((f) => f.rule === 'COLLECTOR_IN_TWO_ORGANISATIONS')
        .map((f) => f.organisationCode),
    ).toEqual(planted.sharedNationalId.organisations);
    expect(review.findings.filter((f) => f.rule === 'OUTSIDE_REGISTERED_COMMUNES')).toEqual([
      expect.objectContaining({
        organisationCode: planted.outsideCommune.organisationCode,
        subject: planted.outsideCommune.commune,
      }),
    ]);
    expect(
      review.findings
        .filter((f) => f.rule === 'RENEWAL_BY_OTHER_ORGANISATION')
        .map((f) => f.evidence.participantId)
        .sort(),
    ).toEqual([...planted.foreignRenewals.participantIds].sort());
    expect(subjects('COMMUNE_WITHOUT_POINT')).toEqual(planted.communesWithoutPoint);
    expect(subjects('POINT_WITHOUT_SIGNBOARD').sort()).toEqual([...planted.pointsWithoutSignboard].sort());
    expect(subjects('TARGET_MISSED').sort()).toEqual([...planted.underTarget].sort());
  });

  it('leaves some organisations clean, and ranks the under-target ones last', () => {
    const flagged = new Set(review.findings.map((f) => f.organisationCode).filter(Boolean));
    expect(province.organisations.filter((org) => !flagged.has(org.code)).length).toBeGreaterThanOrEqual(5);
    expect(
      new Set(review.kpis.slice(-province.planted.underTarget.length).map((k) => k.organisationCode)),
    ).toEqual(new Set(province.planted.underTarget));
  });
});
