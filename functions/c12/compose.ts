/**
 * Turns a statement into the mail an employer receives, and a run into the administrators' summary, with
 * the office's settings from the configuration. Pure apart from rendering: no AWS here.
 */
import type { Config } from '../shared/config.ts';
import type { EmployerRecord } from './ledger.ts';
import type { Statement } from './model.ts';
import type { OutgoingEmail } from '../shared/email.ts';
import { buildNoticeEmail, buildRunSummaryEmail, type RunSummary } from './notice/email.ts';

export async function composeNotice(
  config: Config,
  employer: EmployerRecord,
  statement: Statement,
): Promise<OutgoingEmail> {
  const email = await buildNoticeEmail({
    statement,
    employer: {
      id: employer.employerId,
      name: employer.name,
      address: employer.address,
      headName: employer.headName,
      headTitle: employer.headTitle,
    },
    office: { name: config.OFFICE_NAME },
    dailyInterestPcm: statement.dailyInterestPcm,
    account: {
      number: config.COLLECTION_ACCOUNT_NUMBER,
      name: config.COLLECTION_ACCOUNT_NAME,
      bank: config.COLLECTION_ACCOUNT_BANK,
    },
  });
  return {
    from: config.SENDER_EMAIL,
    to: employer.email ? [employer.email] : [],
    ...email,
    configurationSet: config.SES_CONFIGURATION_SET,
  };
}

export function composeRunSummary(config: Config, summary: RunSummary): OutgoingEmail {
  return {
    from: config.SENDER_EMAIL,
    to: config.ADMIN_EMAILS,
    ...buildRunSummaryEmail(summary),
    configurationSet: config.SES_CONFIGURATION_SET,
  };
}
