/**
 * Turns a statement into the mail an employer receives, and a run into the administrators' summary, with
 * the office's settings from the configuration. Pure apart from rendering: no AWS here.
 */
import type { Config } from '../shared/config.ts';
import type { EmployerRecord } from './ledger.ts';
import type { Statement } from './model.ts';
import { buildNoticeEmail, buildRunSummaryEmail, type RunSummary } from './notice/email.ts';
import { buildRawMessage } from './notice/mime.ts';
import type { NoticeMail } from './batch.ts';

export async function composeNotice(
  config: Config,
  employer: EmployerRecord,
  statement: Statement,
): Promise<NoticeMail> {
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
  const to = employer.email ?? '';
  const raw = await buildRawMessage({
    from: config.SENDER_EMAIL,
    to: [to],
    subject: email.subject,
    html: email.html,
    text: email.text,
    attachments: email.attachments,
    configurationSet: config.SES_CONFIGURATION_SET,
  });
  return { to, raw };
}

export async function composeRunSummary(config: Config, summary: RunSummary): Promise<Buffer> {
  const email = buildRunSummaryEmail(summary);
  return buildRawMessage({
    from: config.SENDER_EMAIL,
    to: config.ADMIN_EMAILS,
    subject: email.subject,
    html: email.html,
    text: email.text,
    attachments: [],
    configurationSet: config.SES_CONFIGURATION_SET,
  });
}
