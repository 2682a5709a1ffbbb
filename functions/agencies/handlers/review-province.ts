/**
 * The agency review's main step: settle the month (the last closed one unless given), read the province,
 * set bad records aside with their reasons, review every organisation, store each one's KPIs and findings
 * and the province's summary, and hand the organisations on in batches for their reports.
 */
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { monthSchema } from '../../shared/schemas.ts';
import { nonWorkingDays } from '../../shared/holidays.ts';
import { stateMachineArnFromEnv } from '../../schedules/engine.ts';
import { addMonths, addWorkingDays, lastClosedPeriod, todayInVietnam } from '../../shared/calendar.ts';
import { groupBy } from '../../shared/collections.ts';
import { appConfig } from '../../shared/config.ts';
import { awsClients } from '../../shared/aws.ts';
import { defineHandler } from '../../shared/lambda.ts';
import { validateReviewData } from '../model.ts';
import { AgencyRepository } from '../repository.ts';
import type { AgencyDecision } from '../decisions.ts';
import { AGENCY_POLICY, contractReviewsDue, reviewAgencies } from '../review.ts';

export const reviewProvinceEventSchema = z.object({
  input: z
    .object({
      /** The month to review, YYYY-MM; default: the last closed month. */
      month: monthSchema.optional(),
      /** The day the review counts as today (clock override for demos and tests). */
      asOf: z.iso.date().optional(),
    })
    .default({}),
});

/** Organisations per report batch (one Lambda sends their reports). */
export const REPORT_BATCH_SIZE = 25;
/** Breaches and set-aside records listed in the summary item (and its email); the totals count them all. */
export const SUMMARY_LIST_LIMIT = 300;

/** Seconds the managing officer has: to the end of the deadline day in Vietnam, or the demo override. */
function decisionWaitSeconds(asOf: string): number {
  const override = appConfig().APPROVAL_WAIT_SECONDS_OVERRIDE;
  if (override) return override;
  const deadline = addWorkingDays(asOf, AGENCY_POLICY.approvalWorkingDays, nonWorkingDays());
  return Math.max(60, Math.ceil((Date.parse(`${deadline}T23:59:59.999+07:00`) - Date.now()) / 1000));
}

export const handler = defineHandler(reviewProvinceEventSchema, async (event) => {
  const asOf = event.input.asOf ?? todayInVietnam();
  const month = event.input.month ?? lastClosedPeriod(asOf);
  const repository = new AgencyRepository(awsClients().dynamo);
  // Twelve months: the quarter to date and the six-month inactivity rule both look back. Enrolments after
  // the reviewed month are not in it; those after today are errors. No binding keeps the raw province once
  // validated (only the records validation kept as read live on): at national scale it is most of this
  // step's memory.
  const { data, rejected } = validateReviewData(await repository.loadProvince(addMonths(month, -11)), asOf);
  const review = reviewAgencies(data, month, AGENCY_POLICY);
  const reviewedAt = new Date().toISOString();
  const findingsOf = groupBy(
    review.findings.filter((finding) => finding.organisationCode),
    (finding) => finding.organisationCode!,
  );
  for (const kpi of review.kpis) {
    await repository.storeReview({
      organisationCode: kpi.organisationCode,
      month,
      kpi,
      findings: findingsOf.get(kpi.organisationCode) ?? [],
      reviewedAt,
    });
  }
  const breaches = review.findings.filter(
    (f) => f.rule !== 'TARGET_MISSED' && f.rule !== 'COMMUNE_WITHOUT_POINT',
  );
  const counts: Record<string, number> = {};
  for (const finding of review.findings) counts[finding.rule] = (counts[finding.rule] ?? 0) + 1;
  await repository.storeSummary({
    month,
    reviewedAt,
    organisations: review.kpis.length,
    findings: counts,
    // The summary is one item (400 KB at most): the first breaches and set-aside records are listed, the
    // totals say how many there are in all; each organisation's review keeps its own findings whole.
    rejected: rejected.slice(0, SUMMARY_LIST_LIMIT),
    totalRejected: rejected.length,
    ranking: review.kpis.map((k) => ({ organisationCode: k.organisationCode, name: k.name, score: k.score })),
    communesWithoutPoint: review.findings
      .filter((f) => f.rule === 'COMMUNE_WITHOUT_POINT')
      .map((f) => f.subject),
    breaches: breaches.slice(0, SUMMARY_LIST_LIMIT),
    totalBreaches: breaches.length,
  });
  // Each proposed termination waits for the organisation's managing officer (named after the collector and
  // the month: a re-run starts none twice).
  const organisations = new Map(data.organisations.map((org) => [org.code, org]));
  const collectors = new Map(data.collectors.map((c) => [c.collectorId, c]));
  const waitSeconds = decisionWaitSeconds(asOf);
  let proposals = 0;
  const propose = async (name: string, decision: AgencyDecision, officerId: string | undefined) => {
    try {
      await awsClients().sfn.send(
        new StartExecutionCommand({
          stateMachineArn: stateMachineArnFromEnv('AgencyDecision'),
          name: name.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80),
          input: JSON.stringify({ decision, officerId: officerId ?? null, waitSeconds }),
        }),
      );
      proposals++;
    } catch (error) {
      if ((error as Error)?.name !== 'ExecutionAlreadyExists') throw error;
    }
  };
  for (const finding of review.findings) {
    if (finding.proposal !== 'TERMINATE_COLLECTOR') continue;
    const org = organisations.get(finding.organisationCode!)!;
    const collector = collectors.get(finding.subject)!;
    await propose(
      `terminate-${collector.collectorId}-${month}`,
      {
        kind: 'TERMINATE_COLLECTOR',
        organisationCode: org.code,
        organisationName: org.name,
        organisationEmail: org.email,
        collectorId: collector.collectorId,
        collectorName: collector.name,
        month,
        lastNewParticipant: (finding.evidence.lastNewParticipant as string | null) ?? null,
        lastNewBefore: finding.evidence.lastNewBefore as string | undefined,
        monthsWithoutNewParticipant: Number(finding.evidence.monthsWithoutNewParticipant),
        atLeast: finding.evidence.atLeast === true,
      },
      org.officerId,
    );
  }
  // Contract reviews: every six months of a contract, and once within 60 days of its end.
  for (const due of contractReviewsDue(data, month, asOf, review.findings)) {
    const org = organisations.get(due.organisationCode)!;
    await propose(
      `contract-${org.code}-${due.key}`,
      {
        kind: 'CONTRACT_REVIEW',
        organisationCode: org.code,
        organisationName: org.name,
        organisationEmail: org.email,
        month,
        reason: due.reason,
        key: due.key,
        contract: org.contract,
        period: due.period,
        figures: due.figures,
        findings: due.findings,
      },
      org.officerId,
    );
  }

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
    proposals,
    batches,
  };
});
