/** Last step of the agency review: the administrators' summary, sent once per month, and the run's figures. */
import { z } from 'zod';
import { monthSchema } from '../../shared/schemas.ts';
import { awsClients } from '../../shared/aws.ts';
import { appConfig } from '../../shared/config.ts';
import { sendEmail } from '../../shared/email.ts';
import { defineHandler } from '../../shared/lambda.ts';
import { reviewSummaryLetter } from '../documents.ts';
import { AgencyRepository } from '../repository.ts';

export const summarizeReviewEventSchema = z.object({
  month: monthSchema,
  runId: z.string().min(1),
  results: z.array(
    z.object({ sent: z.number(), alreadySent: z.number(), noEmail: z.number(), rejected: z.number() }),
  ),
});

export const handler = defineHandler(summarizeReviewEventSchema, async (event) => {
  const config = appConfig();
  const repository = new AgencyRepository(awsClients().dynamo);
  const summary = await repository.summary(event.month);
  if (!summary) throw new Error(`no review summary for ${event.month}`);
  const totals = { sent: 0, alreadySent: 0, noEmail: 0, rejected: 0 };
  for (const result of event.results)
    for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += result[key];
  let summarySent = false;
  const at = new Date().toISOString();
  if (await repository.claimSummary(event.month, at, event.runId)) {
    const { names } = await repository.communes();
    const outcome = await sendEmail(awsClients().ses, {
      from: config.SENDER_EMAIL,
      to: config.ADMIN_EMAILS,
      ...reviewSummaryLetter({
        office: config.OFFICE_NAME,
        month: event.month,
        ranking: summary.ranking,
        communesWithoutPoint: summary.communesWithoutPoint.map((code) => ({
          code,
          name: names[code] ?? code,
        })),
        breaches: summary.breaches,
        rejected: summary.rejected,
        totalBreaches: summary.totalBreaches,
        totalRejected: summary.totalRejected,
      }),
      attachments: [],
      configurationSet: config.SES_CONFIGURATION_SET,
    });
    await repository.recordSummary(event.month, {
      status: outcome.status === 'SENT' ? 'SENT' : 'REJECTED',
      at,
      ...(outcome.status === 'SENT' ? { messageId: outcome.messageId } : {}),
    });
    summarySent = outcome.status === 'SENT';
  }
  return {
    month: event.month,
    organisations: summary.organisations,
    findings: summary.findings,
    rejected: summary.rejected,
    reports: totals,
    summarySent,
  };
});
