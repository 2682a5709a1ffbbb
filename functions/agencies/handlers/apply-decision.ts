/**
 * A decision's outcome. A collector's termination approved: written into the organisation's records and the
 * organisation told. A contract review answered (renew, renew with conditions, end): written into the
 * organisation's profile and the organisation told. Rejected or unanswered: recorded, nothing changes.
 * Every outcome goes into the organisation's trail.
 */
import { z } from 'zod';
import { EscalationRepository } from '../../escalation/repository.ts';
import { awsClients } from '../../shared/aws.ts';
import { appConfig } from '../../shared/config.ts';
import { sendEmail } from '../../shared/email.ts';
import { defineHandler } from '../../shared/lambda.ts';
import {
  CONTRACT_CHOICES,
  contractDecisionLetter,
  decisionDay,
  decisionKey,
  decisionTrail,
  terminationNoticeLetter,
  type ContractChoice,
} from '../decisions.ts';
import { AgencyRepository } from '../repository.ts';
import { AGENCY_POLICY } from '../review.ts';
import { decisionSchema } from './request-decision.ts';

export const applyDecisionEventSchema = z.object({
  decision: decisionSchema,
  outcome: z.enum(['APPROVED', 'REJECTED', 'EXPIRED', 'NO_APPROVER']),
  /** SendTaskSuccess output (approved) as the approval page sent it. */
  approval: z
    .object({ by: z.string(), at: z.string(), reason: z.string().nullish(), choice: z.string().nullish() })
    .partial()
    .default({}),
  /** The failure's cause (rejected): who and why, as JSON. */
  cause: z.string().optional(),
});

/** A rejection's cause is the approval page's JSON; a failure's (no approver) is the Lambda's error JSON. */
function parseCause(cause: string | undefined): { by?: string; reason?: string } {
  if (!cause) return {};
  try {
    const parsed = JSON.parse(cause) as { by?: string; reason?: string; errorMessage?: string };
    return { by: parsed.by, reason: parsed.reason ?? parsed.errorMessage };
  } catch {
    return { reason: cause };
  }
}

export const handler = defineHandler(applyDecisionEventSchema, async (event) => {
  const config = appConfig();
  const { dynamo, ses } = awsClients();
  const agencies = new AgencyRepository(dynamo);
  const cases = new EscalationRepository(dynamo);
  const { decision } = event;
  const at = new Date().toISOString();
  const rejection = parseCause(event.cause);
  const by = event.approval.by ?? rejection.by ?? 'dondoc';
  const reason = event.approval.reason ?? rejection.reason ?? undefined;
  const key = decisionKey(decision);
  const trail = (what: string, why: string) =>
    cases.audit({
      caseId: decisionTrail(decision.organisationCode),
      at,
      who: by,
      what,
      why,
      channel: 'SYSTEM',
      discriminator: key,
    });
  const notify = async (letter: { subject: string; text: string; html: string }) => {
    if (!decision.organisationEmail) return;
    await sendEmail(ses, {
      from: config.SENDER_EMAIL,
      to: [decision.organisationEmail],
      ...letter,
      attachments: [],
      configurationSet: config.SES_CONFIGURATION_SET,
    });
  };

  let outcome: string = event.outcome;
  if (event.outcome !== 'APPROVED') {
    const what = {
      REJECTED: 'DECISION_REJECTED',
      EXPIRED: 'DECISION_EXPIRED',
      NO_APPROVER: 'DECISION_NO_APPROVER',
    }[event.outcome];
    await trail(what, reason ?? key);
  } else if (decision.kind === 'TERMINATE_COLLECTOR') {
    // The day of the decision in Vietnam: an approval at 06:00 on 1 January is not a leave in December.
    const decidedOn = decisionDay(at);
    const result = await agencies.terminateCollector(decision.organisationCode, decision.collectorId, {
      leftAt: decidedOn,
      by,
      reason: `${AGENCY_POLICY.inactiveMonths} tháng liên tục không có người tham gia mới (đánh giá ${decision.month})`,
    });
    const what = {
      TERMINATED: 'COLLECTOR_TERMINATED',
      ALREADY_LEFT: 'COLLECTOR_ALREADY_LEFT',
      NOT_FOUND: 'COLLECTOR_NOT_FOUND',
    };
    await trail(what[result], reason ?? decision.collectorId);
    if (result === 'TERMINATED')
      await notify(terminationNoticeLetter(decision, config.OFFICE_NAME, decidedOn));
  } else {
    const choice = CONTRACT_CHOICES.find((c) => c.value === event.approval.choice)?.value as
      ContractChoice | undefined;
    if (!choice) throw new Error(`contract review ${key} approved without one of the choices`);
    await agencies.recordContractDecision(decision.organisationCode, {
      key,
      choice,
      conditions: reason,
      by,
      at,
      contractEnd: decision.contract.end,
    });
    await trail(`CONTRACT_${choice}`, reason ?? key);
    await notify(contractDecisionLetter(decision, config.OFFICE_NAME, choice, reason));
    outcome = choice;
  }
  await agencies.putDecision(decision.organisationCode, key, {
    state: outcome,
    decidedAt: at,
    decidedBy: by,
  });
  return { outcome, key };
});
