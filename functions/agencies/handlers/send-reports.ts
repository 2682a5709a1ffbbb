/**
 * A batch of organisations' review reports: the Vietnamese email with the PDF attached, each sent once per
 * month (claimed before sending, recorded after); an organisation without an email address is listed.
 */
import { z } from 'zod';
import { monthSchema } from '../../shared/schemas.ts';
import { awsClients } from '../../shared/aws.ts';
import { appConfig } from '../../shared/config.ts';
import { SendRateLimiter, sendEmail } from '../../shared/email.ts';
import { defineHandler } from '../../shared/lambda.ts';
import { organisationReviewLetter } from '../documents.ts';
import { renderReviewPdf } from '../report-pdf.ts';
import { AgencyRepository } from '../repository.ts';

export const sendReportsEventSchema = z.object({
  month: monthSchema,
  organisationCodes: z.array(z.string().min(1)).min(1),
  /** The execution: a claim it made is its own to retry; another run's fresh claim is left alone. */
  runId: z.string().min(1),
});

const config = appConfig();
const limiter = new SendRateLimiter(config.SES_MAX_SEND_RATE);

export const handler = defineHandler(sendReportsEventSchema, async (event) => {
  const { dynamo, ses } = awsClients();
  const repository = new AgencyRepository(dynamo);
  const profiles = new Map(
    (await repository.loadProfiles(event.organisationCodes)).map((org) => [String(org.code), org]),
  );
  const counts = { sent: 0, alreadySent: 0, noEmail: 0, rejected: 0 };
  for (const code of event.organisationCodes) {
    const review = await repository.review(code, event.month);
    if (!review) continue;
    const at = new Date().toISOString();
    if (!(await repository.claimReport(code, event.month, at, event.runId))) {
      counts.alreadySent++;
      continue;
    }
    const profile = profiles.get(code);
    const email = typeof profile?.email === 'string' ? profile.email : undefined;
    if (!email) {
      await repository.recordReport(code, event.month, { status: 'NO_EMAIL', at });
      counts.noEmail++;
      continue;
    }
    const organisation = { code, name: String(profile?.name ?? code) };
    const input = {
      office: config.OFFICE_NAME,
      organisation,
      month: event.month,
      kpi: review.kpi,
      findings: review.findings,
    };
    await limiter.acquire();
    const outcome = await sendEmail(ses, {
      from: config.SENDER_EMAIL,
      to: [email],
      ...organisationReviewLetter(input),
      attachments: [
        {
          filename: `Danh-gia_${code}_${event.month}.pdf`,
          contentType: 'application/pdf',
          content: renderReviewPdf(input),
        },
      ],
      configurationSet: config.SES_CONFIGURATION_SET,
    });
    if (outcome.status === 'SENT') {
      await repository.recordReport(code, event.month, { status: 'SENT', at, messageId: outcome.messageId });
      counts.sent++;
    } else {
      await repository.recordReport(code, event.month, { status: 'NO_EMAIL', at });
      counts.rejected++;
    }
  }
  return counts;
});
