/**
 * The agency review's main step: settle the month (the last closed one unless given), read the province,
 * set bad records aside with their reasons, review every organisation, store each one's KPIs and findings
 * and the province's summary, and hand the organisations on in batches for their reports.
 */
import { z } from 'zod';
import { addMonths, lastClosedPeriod, todayInVietnam } from '../../shared/calendar.ts';
import { awsClients } from '../../shared/aws.ts';
import { defineHandler } from '../../shared/lambda.ts';
import { validateReviewData } from '../model.ts';
import { AgencyRepository } from '../repository.ts';
import { AGENCY_POLICY, reviewAgencies } from '../review.ts';

export const reviewProvinceEventSchema = z.object({
  input: z
    .object({
      /** The month to review, YYYY-MM; default: the last closed month. */
      month: z
        .string()
        .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month YYYY-MM')
        .optional(),
      /** The day the review counts as today (clock override for demos and tests). */
      asOf: z.iso.date().optional(),
    })
    .default({}),
});

/** Organisations per report batch (one Lambda sends their reports). */
export const REPORT_BATCH_SIZE = 25;

export const handler = defineHandler(reviewProvinceEventSchema, async (event) => {
  const asOf = event.input.asOf ?? todayInVietnam();
  const month = event.input.month ?? lastClosedPeriod(asOf);
  const repository = new AgencyRepository(awsClients().dynamo);
  // Twelve months: the quarter to date and the six-month inactivity rule both look back.
  const raw = await repository.loadProvince(addMonths(month, -11));
  // Enrolments after the reviewed month are not in it; those after today are errors.
  const { data, rejected } = validateReviewData(raw, asOf);
  const review = reviewAgencies(data, month, AGENCY_POLICY);
  const reviewedAt = new Date().toISOString();
  const findingsOf = new Map<string, typeof review.findings>();
  for (const finding of review.findings) {
    if (!finding.organisationCode) continue;
    findingsOf.set(finding.organisationCode, [...(findingsOf.get(finding.organisationCode) ?? []), finding]);
  }
  for (const kpi of review.kpis) {
    await repository.storeReview({
      organisationCode: kpi.organisationCode,
      month,
      kpi,
      findings: findingsOf.get(kpi.organisationCode) ?? [],
      reviewedAt,
    });
  }
  const counts: Record<string, number> = {};
  for (const finding of review.findings) counts[finding.rule] = (counts[finding.rule] ?? 0) + 1;
  await repository.storeSummary({
    month,
    reviewedAt,
    organisations: review.kpis.length,
    findings: counts,
    rejected,
    ranking: review.kpis.map((k) => ({ organisationCode: k.organisationCode, name: k.name, score: k.score })),
    communesWithoutPoint: review.findings
      .filter((f) => f.rule === 'COMMUNE_WITHOUT_POINT')
      .map((f) => f.subject),
    breaches: review.findings.filter((f) => f.rule !== 'TARGET_MISSED' && f.rule !== 'COMMUNE_WITHOUT_POINT'),
  });
  const codes = review.kpis.map((k) => k.organisationCode).sort();
  const batches: { month: string; organisationCodes: string[] }[] = [];
  for (let i = 0; i < codes.length; i += REPORT_BATCH_SIZE) {
    batches.push({ month, organisationCodes: codes.slice(i, i + REPORT_BATCH_SIZE) });
  }
  return {
    month,
    organisations: codes.length,
    findings: review.findings.length,
    rejected: rejected.length,
    batches,
  };
});
