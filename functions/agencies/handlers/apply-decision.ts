/**
 * A decision's outcome: approved, the collector's termination is written into the organisation's records
 * and the organisation is told; rejected or unanswered, it is recorded and nothing changes. Every outcome
 * goes into the organisation's trail.
 */
import { z } from 'zod';
import { EscalationRepository } from '../../escalation/repository.ts';
import { awsClients } from '../../shared/aws.ts';
import { appConfig } from '../../shared/config.ts';
import { sendEmail } from '../../shared/email.ts';
import { defineHandler } from '../../shared/lambda.ts';
import { decisionTrail, terminationNoticeLetter } from '../decisions.ts';
import { AgencyRepository } from '../repository.ts';
import { decisionKey, requestDecisionEventSchema } from './request-decision.ts';

export const applyDecisionEventSchema = z.object({
  decision: requestDecisionEventSchema.shape.decision,
  outcome: z.enum(['APPROVED', 'REJECTED', 'EXPIRED']),
  /** SendTaskSuccess output (approved) or the failure's cause (rejected), as the approval page sent it. */
  approval: z
    .object({ by: z.string().optional(), at: z.string().optional(), reason: z.string().nullish() })
    .partial()
    .default({}),
  cause: z.string().optional(),
});

export const handler = defineHandler(applyDecisionEventSchema, async (event) => {
  const config = appConfig();
  const { dynamo, ses } = awsClients();
  const agencies = new AgencyRepository(dynamo);
  const cases = new EscalationRepository(dynamo);
  const { decision } = event;
  const at = new Date().toISOString();
  const rejection = event.cause ? (JSON.parse(event.cause) as { by?: string; reason?: string }) : {};
  const by = event.approval.by ?? rejection.by ?? 'dondoc';
  const reason = event.approval.reason ?? rejection.reason ?? undefined;

  if (event.outcome === 'APPROVED') {
    const decidedOn = at.slice(0, 10);
    const written = await agencies.terminateCollector(decision.organisationCode, decision.collectorId, {
      leftAt: decidedOn,
      by,
      reason: `6 tháng liên tục không có người tham gia mới (đánh giá ${decision.month})`,
    });
    await cases.audit({
      caseId: decisionTrail(decision.organisationCode),
      at,
      who: by,
      what: written ? 'COLLECTOR_TERMINATED' : 'COLLECTOR_NOT_FOUND',
      why: reason ?? decision.collectorId,
      channel: 'SYSTEM',
      discriminator: decisionKey(decision),
    });
    if (written && decision.organisationEmail) {
      await sendEmail(ses, {
        from: config.SENDER_EMAIL,
        to: [decision.organisationEmail],
        ...terminationNoticeLetter(decision, config.OFFICE_NAME, decidedOn),
        attachments: [],
        configurationSet: config.SES_CONFIGURATION_SET,
      });
    }
  } else {
    await cases.audit({
      caseId: decisionTrail(decision.organisationCode),
      at,
      who: event.outcome === 'REJECTED' ? by : 'dondoc',
      what: event.outcome === 'REJECTED' ? 'DECISION_REJECTED' : 'DECISION_EXPIRED',
      why: reason ?? decision.collectorId,
      channel: 'SYSTEM',
      discriminator: decisionKey(decision),
    });
  }
  await agencies.putDecision(decision.organisationCode, decisionKey(decision), {
    state: event.outcome,
    decidedAt: at,
    decidedBy: by,
  });
  return { outcome: event.outcome, collectorId: decision.collectorId };
});
