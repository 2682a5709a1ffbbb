/**
 * The approval workflow's Lambda handlers (workflows/case-approval.asl.json), one export per step. The
 * events are checked with zod: the start record comes from the sweep, the rest from the workflow.
 */
import { z } from 'zod';
import { defineHandler } from '../../shared/lambda.ts';
import {
  grantStage,
  planApproval,
  recordOutcome,
  renewPlan,
  requestApproval,
  type Plan,
} from '../approval-flow.ts';
import { STAGES } from '../policy.ts';
import type { ApprovalStart } from '../sweep.ts';
import { flowDeps } from './flow-deps.ts';

const role = z.enum(['OFFICER', 'SUPERVISOR', 'DIRECTOR']);
const startSchema = z.object({
  executionName: z.string().min(1),
  employerId: z.string().min(1),
  caseId: z.string().min(1),
  stage: z.enum(STAGES),
  approvers: z.array(role).min(1),
  asOf: z.iso.date(),
  policyVersion: z.string().min(1),
  officerId: z.string().nullable(),
  // Absent from approvals started before they were carried: the letter then says what it did before.
  overdueInterestVnd: z.number().optional(),
  oldestOverdueDueDate: z.iso.date().nullable().optional(),
  subject: z.object({
    caseId: z.string(),
    employerId: z.string(),
    employerName: z.string(),
    stage: z.enum(STAGES),
    action: z.string(),
    overdueVnd: z.number(),
    daysLate: z.number(),
    details: z.array(z.string()),
  }),
}) satisfies z.ZodType<ApprovalStart>;

const planSchema = z.object({
  role,
  approver: z.object({ officerId: z.string(), name: z.string(), email: z.string(), role }),
  expiresAt: z.string(),
  waitSeconds: z.number(),
  deadline: z.string(),
}) satisfies z.ZodType<Plan>;

export const plan = defineHandler(
  z.union([
    z.object({ start: startSchema, index: z.number().int().min(0), previousApprover: z.string().nullable() }),
    // Before a reminder or a reassignment: the same approver, a new wait counted from today.
    z.object({ start: startSchema, renew: planSchema }),
  ]),
  async (event) => ('renew' in event ? renewPlan(flowDeps(), event) : planApproval(flowDeps(), event)),
);

export const request = defineHandler(
  z.object({
    token: z.string().min(1),
    start: startSchema,
    plan: planSchema,
    attempt: z.enum(['FIRST', 'REMINDER', 'REASSIGN']),
  }),
  async (event) => {
    await requestApproval(flowDeps(), event);
    return { requested: event.attempt };
  },
);

export const grant = defineHandler(z.object({ start: startSchema }), async (event) => {
  const deps = flowDeps();
  const employer = await deps.cases.employer(event.start.employerId);
  await grantStage(deps, { start: event.start, employerEmail: employer?.email });
  return { granted: event.start.stage };
});

export const outcome = defineHandler(
  z.object({
    start: startSchema,
    outcome: z.enum(['REJECTED', 'LAPSED', 'FAILED']),
    cause: z.string().nullable().optional(),
    /** FAILED: the error a step failed with, as Step Functions catches it (Cause may be absent). */
    failure: z.object({ Error: z.string().optional(), Cause: z.string().nullable().optional() }).optional(),
  }),
  async (event) => {
    await recordOutcome(flowDeps(), {
      start: event.start,
      outcome: event.outcome,
      error: event.failure?.Error,
      cause: (event.failure ? event.failure.Cause : event.cause) ?? undefined,
    });
    return { recorded: event.outcome };
  },
);
