/**
 * The approval link's two requests, for a Lambda function URL (payload format 2.0) in the cloud and for the
 * embedded stack's local HTTP front door alike:
 * - GET /approvals/{id}: the confirmation page. It changes nothing, so mail scanners that prefetch links
 *   decide nothing.
 * - POST /approvals/{id}: the decision, from that page's form, with the approval's CSRF token. The approval
 *   moves PENDING -> APPROVED | REJECTED by a conditional write, and only then is the workflow told
 *   (SendTaskSuccess, or SendTaskFailure for a rejection). A second POST, one after expiry or after
 *   reassignment, with a wrong token, or without a reason for a rejection gets a page saying so and changes
 *   nothing.
 */
import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { logger } from '../shared/logger.ts';
import {
  APPROVAL_ID,
  decisionFormSchema,
  loggable,
  sameSecret,
  subjectTopic,
  type ApprovalRecord,
} from './model.ts';
import { confirmationPage, outcomePage, type Outcome, type TrailLine } from './pages.ts';
import type { ApprovalsRepository } from './repository.ts';

export type HttpEvent = Pick<APIGatewayProxyEventV2, 'rawPath' | 'headers' | 'body' | 'isBase64Encoded'> & {
  requestContext: { http: { method: string } };
};
export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };

export interface ApprovalHttpDeps {
  approvals: ApprovalsRepository;
  sfn: SFNClient;
  now(): string;
  /** The case's trail, shown under the question (the approver sees what happened so far). */
  trail?(caseId: string): Promise<TrailLine[]>;
  /** Records the decision in the case's trail (who, when, why, by email link). */
  audit?(entry: {
    caseId: string;
    at: string;
    who: string;
    what: string;
    why?: string | undefined;
    approvalId: string;
  }): Promise<void>;
}

/** What the workflow receives when an approval is granted (SendTaskSuccess output). */
export interface ApprovalGranted {
  decision: 'APPROVED';
  approvalId: string;
  by: string;
  at: string;
  reason?: string | undefined;
  /** The option chosen, when the decision offered options. */
  choice?: string | undefined;
}

/** The error name a rejection fails the waiting task with, for the workflow's Catch. */
export const APPROVAL_REJECTED = 'ApprovalRejected';

const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  // The approval id is in the URL: it must not leave in a Referer, and the page must not be framed.
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
};

function respond({ status, html }: { status: number; html: string }): HttpResult {
  return { statusCode: status, headers: HEADERS, body: html };
}

function outcome(kind: Outcome, record?: ApprovalRecord, detail?: string): HttpResult {
  return respond(outcomePage(kind, record, detail));
}

/** Why a record that exists cannot be decided now, or undefined when it can. */
function refusal(record: ApprovalRecord, now: string): Outcome | undefined {
  if (record.state === 'REASSIGNED') return 'REASSIGNED';
  if (record.state === 'WITHDRAWN') return 'WITHDRAWN';
  if (record.state !== 'PENDING') return 'ALREADY_DECIDED';
  if (record.expiresAt <= now) return 'EXPIRED';
  return undefined;
}

function formOf(event: HttpEvent): URLSearchParams {
  const raw = event.body ?? '';
  return new URLSearchParams(event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw);
}

const TASK_GONE = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/** SendTaskSuccess or SendTaskFailure with the decision; false when the waiting task is gone. */
async function tell(
  deps: ApprovalHttpDeps,
  record: ApprovalRecord,
  state: 'APPROVED' | 'REJECTED',
  at: string,
  reason: string | undefined,
): Promise<boolean> {
  const by = record.approver.officerId;
  try {
    if (state === 'APPROVED') {
      const output: ApprovalGranted = {
        decision: 'APPROVED',
        approvalId: record.approvalId,
        by,
        at,
        reason,
        ...(record.decision?.choice ? { choice: record.decision.choice } : {}),
      };
      await deps.sfn.send(
        new SendTaskSuccessCommand({ taskToken: record.taskToken, output: JSON.stringify(output) }),
      );
    } else {
      await deps.sfn.send(
        new SendTaskFailureCommand({
          taskToken: record.taskToken,
          error: APPROVAL_REJECTED,
          cause: JSON.stringify({ approvalId: record.approvalId, by, at, reason }),
        }),
      );
    }
    return true;
  } catch (error) {
    // The waiting task is gone (it timed out meanwhile): the decision stands in the record, and the
    // workflow's next step (a reminder, a reassignment) forwards it to the task then waiting.
    if (!TASK_GONE.has((error as Error)?.name)) throw error;
    logger.warn('approval decided after its task ended', {
      ...loggable(record),
      error: (error as Error).name,
    });
    return false;
  }
}

export async function handleApprovalRequest(deps: ApprovalHttpDeps, event: HttpEvent): Promise<HttpResult> {
  const method = event.requestContext.http.method.toUpperCase();
  const match = /^\/approvals\/([^/]+)\/?$/.exec(event.rawPath);
  if (!match) return outcome('NOT_FOUND');
  // An id is 24 URL-safe characters: anything else (a malformed %-escape included) names no approval.
  const approvalId = match[1]!;
  if (!APPROVAL_ID.test(approvalId)) return outcome('NOT_FOUND');

  if (method === 'GET' || method === 'HEAD') {
    const record = await deps.approvals.get(approvalId);
    if (!record) return outcome('NOT_FOUND');
    const refused = refusal(record, deps.now());
    if (refused) return outcome(refused, record);
    const trail = (await deps.trail?.(record.subject.caseId)) ?? [];
    return respond({ status: 200, html: confirmationPage(record, event.rawPath, trail) });
  }
  if (method !== 'POST') {
    return {
      statusCode: 405,
      headers: { ...HEADERS, allow: 'GET, POST' },
      body: outcomePage('BAD_FORM').html,
    };
  }

  const form = decisionFormSchema.safeParse(Object.fromEntries(formOf(event)));
  if (!form.success) return outcome('BAD_FORM');
  const choice = form.data.decision.startsWith('option:')
    ? form.data.decision.slice('option:'.length)
    : undefined;
  const state = choice || form.data.decision === 'approve' ? 'APPROVED' : 'REJECTED';
  if (state === 'REJECTED' && !form.data.reason) return outcome('REASON_REQUIRED');
  const now = deps.now();
  if (choice) {
    // An answer among options is checked against the record's options first (the one read this path makes).
    const record = await deps.approvals.get(approvalId);
    if (!record) return outcome('NOT_FOUND');
    const option =
      record.subject.kind === 'DECISION'
        ? record.subject.options?.find((o) => o.value === choice)
        : undefined;
    if (!option) return outcome('BAD_FORM', record);
    if (option.reasonRequired && !form.data.reason) return outcome('REASON_REQUIRED', record);
  }

  // One conditional write checks state, expiry and the form's token; only a refusal reads the record.
  const result = await deps.approvals.decide(approvalId, {
    state,
    reason: form.data.reason,
    choice,
    at: now,
    csrfToken: form.data.csrf,
  });
  if (!result.decided) {
    const current = result.current;
    if (!current) return outcome('NOT_FOUND');
    if (!choice && current.subject.kind === 'DECISION' && current.subject.options?.length) {
      return outcome('BAD_FORM', current);
    }
    if (!sameSecret(form.data.csrf, current.csrfToken)) {
      logger.warn('approval form with a wrong token', loggable(current));
      return outcome('BAD_FORM', current);
    }
    // Decided (by another request, perhaps this instant), expired or reassigned: nothing changed here.
    return outcome(refusal(current, now) ?? 'ALREADY_DECIDED', current);
  }
  const record = result.record;
  logger.info('approval decided', { ...loggable(result.record), decision: state });
  // The trail and the workflow are told at once: neither depends on the other, and each is a round trip.
  // A trail that failed (after the SDK's retries) is logged for the alarms: the record keeps the decision.
  // A workflow that could not be told gets the decision taken back, so that the approver's retry decides.
  const [told, audited] = await Promise.allSettled([
    tell(deps, result.record, state, now, form.data.reason),
    deps.audit?.({
      caseId: record.subject.caseId,
      at: now,
      who: record.approver.officerId,
      what: state === 'APPROVED' ? (choice ? `CHOSE_${choice}` : 'APPROVED') : 'REJECTED',
      why: form.data.reason ?? subjectTopic(record.subject),
      approvalId,
    }),
  ]);
  if (audited.status === 'rejected')
    logger.error('approval decided, its trail entry not written', {
      ...loggable(record),
      error: (audited.reason as Error)?.name,
    });
  if (told.status === 'rejected') {
    logger.error('approval decided, the workflow not told: decision taken back', {
      ...loggable(record),
      error: (told.reason as Error)?.name,
    });
    const takenBack = await deps.approvals.undecide(approvalId, state, now).catch((error: unknown) => {
      logger.error('decision not taken back', { ...loggable(record), error: (error as Error)?.name });
      return false;
    });
    if (takenBack) {
      await deps.audit?.({
        caseId: record.subject.caseId,
        at: now,
        who: 'dondoc',
        what: 'DECISION_NOT_DELIVERED',
        why: 'không chuyển được quyết định cho quy trình; người duyệt được đề nghị gửi lại',
        approvalId,
      });
      return outcome('UNAVAILABLE', { ...record, state: 'PENDING' });
    }
    // Decided again since by a retry that got through, or the take-back failed: the record stands, and a
    // reminder step still waiting forwards it.
    return outcome('RECORDED', result.record);
  }
  if (!told.value) return outcome('WORKFLOW_GONE', result.record);
  return outcome(state, result.record);
}
