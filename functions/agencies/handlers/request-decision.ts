/**
 * The waiting task of a decision about an organisation: an approval record for its managing officer (the
 * task token kept in it, never in the link), and the email with the link. A retry of the same task (same
 * token) finds the approval it made and sends nothing again.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { monthSchema } from '../../shared/schemas.ts';
import { ApprovalsRepository } from '../../approvals/repository.ts';
import { approvalLink, newApproval } from '../../approvals/request.ts';
import { EscalationRepository } from '../../escalation/repository.ts';
import { awsClients } from '../../shared/aws.ts';
import { appConfig } from '../../shared/config.ts';
import { sendEmail } from '../../shared/email.ts';
import { defineHandler } from '../../shared/lambda.ts';
import {
  decisionKey,
  decisionRequestLetter,
  decisionSubject,
  decisionTrail,
  type AgencyDecision,
} from '../decisions.ts';
import { AgencyRepository } from '../repository.ts';

export class NoApproverError extends Error {
  override name = 'NoApproverError';
}

const month = monthSchema;
const counts = z.object({ newBhxh: z.number(), newBhyt: z.number(), renewals: z.number() });
const organisation = {
  organisationCode: z.string().min(1),
  organisationName: z.string().min(1),
  organisationEmail: z.string().optional(),
  month,
};

export const decisionSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('TERMINATE_COLLECTOR'),
    ...organisation,
    collectorId: z.string().min(1),
    collectorName: z.string().min(1),
    lastNewParticipant: z.string().nullable(),
    lastNewBefore: monthSchema.optional(),
    monthsWithoutNewParticipant: z.number().int(),
    atLeast: z.boolean().optional(),
  }),
  z.object({
    kind: z.literal('CONTRACT_REVIEW'),
    ...organisation,
    reason: z.enum(['SIX_MONTHLY', 'ENDING']),
    key: z.string().min(1),
    contract: z.object({ start: z.string(), end: z.string() }),
    period: z.object({ from: month, to: month }),
    figures: z.object({ actual: counts, target: counts, percent: counts }),
    findings: z.number().int(),
  }),
]) satisfies z.ZodType<AgencyDecision>;

export const requestDecisionEventSchema = z.object({
  token: z.string().min(1),
  decision: decisionSchema,
  officerId: z.string().nullable(),
  waitSeconds: z.number().int().positive(),
});

/** The task token is kept in the approval record only; the decision keeps a hash to know a retry by. */
const tokenHash = (token: string) => createHash('sha256').update(token).digest('base64url');

export const handler = defineHandler(requestDecisionEventSchema, async (event) => {
  const config = appConfig();
  const { dynamo, ses } = awsClients();
  const agencies = new AgencyRepository(dynamo);
  const approvals = new ApprovalsRepository(dynamo);
  const cases = new EscalationRepository(dynamo);
  const key = decisionKey(event.decision);
  const hash = tokenHash(event.token);
  const existing = await agencies.decision(event.decision.organisationCode, key);
  // A retry of this task: its approval exists; send its link if the first attempt did not get that far.
  let record = existing?.tokenHash === hash ? await approvals.get(String(existing.approvalId)) : undefined;
  if (record && existing?.emailedAt) return { approvalId: record.approvalId, asked: false };

  if (!record) {
    const officer = event.officerId ? await cases.officer(event.officerId) : undefined;
    if (!officer)
      throw new NoApproverError(
        `organisation ${event.decision.organisationCode} has no managing officer on file`,
      );
    const now = new Date();
    record = newApproval({
      taskToken: event.token,
      approver: {
        officerId: officer.officerId,
        name: officer.name,
        email: officer.email,
        role: officer.role,
      },
      subject: decisionSubject(event.decision),
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + event.waitSeconds * 1000).toISOString(),
    });
    await approvals.create(record);
    await agencies.putDecision(event.decision.organisationCode, key, {
      state: 'ASKED',
      approvalId: record.approvalId,
      tokenHash: hash,
      approverId: officer.officerId,
      askedAt: now.toISOString(),
      decision: JSON.stringify(event.decision),
    });
  }
  const deadline = new Intl.DateTimeFormat('vi-VN', {
    timeZone: 'Asia/Ho_Chi_Minh',
    dateStyle: 'short',
    timeStyle: 'short',
  }).format(new Date(record.expiresAt));
  await sendEmail(ses, {
    from: config.SENDER_EMAIL,
    to: [record.approver.email],
    ...decisionRequestLetter(
      event.decision,
      record.approver.name,
      approvalLink(config.PUBLIC_BASE_URL, record.approvalId),
      deadline,
    ),
    attachments: [],
    configurationSet: config.SES_CONFIGURATION_SET,
  });
  const at = new Date().toISOString();
  await agencies.putDecision(event.decision.organisationCode, key, { emailedAt: at });
  await cases.audit({
    caseId: decisionTrail(event.decision.organisationCode),
    at,
    who: record.approver.officerId,
    what: 'APPROVAL_ASKED',
    why: key,
    channel: 'SYSTEM',
    discriminator: record.approvalId,
  });
  return { approvalId: record.approvalId, asked: true };
});
