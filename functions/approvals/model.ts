/**
 * An approval asked of one person by email link (architecture.md, "Approvals by email link").
 *
 * The link carries only `approvalId`, a random 144-bit id; the record holds the Step Functions task token,
 * which never leaves the store: not in a URL, an email, a page or a log line. The record also keeps what
 * the confirmation page shows, as it was when the approval was asked for, so the page needs nothing else.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { ApproverRole, Stage } from '../escalation/policy.ts';

export type ApprovalState = 'PENDING' | 'APPROVED' | 'REJECTED' | 'REASSIGNED' | 'WITHDRAWN';

export interface Approver {
  officerId: string;
  name: string;
  email: string;
  role: ApproverRole;
}

/** What the approver is asked, and what approving will do, in the words of the page and the email. */
export type ApprovalSubject = CaseApprovalSubject | DecisionApprovalSubject;

/** A debt case's stage (the escalation). Records stored before `kind` existed are these. */
export interface CaseApprovalSubject {
  kind?: 'CASE' | undefined;
  caseId: string;
  employerId: string;
  employerName: string;
  stage: Stage;
  /** "Mời đơn vị làm việc, đối chiếu số nợ", ...: what approving will do. */
  action: string;
  overdueVnd: number;
  daysLate: number;
  /** Further lines the page lists (the fine range, Art. 216's conditions). */
  details: string[];
}

/** Any other decision an officer takes by link (an agency's collector terminated, a contract not renewed). */
export interface DecisionApprovalSubject {
  kind: 'DECISION';
  /** Where the decision's trail is kept (the Audit table's key), e.g. `AGENCY#TCDV003`. */
  caseId: string;
  /** What is decided, e.g. TERMINATE_COLLECTOR. */
  decision: string;
  /** What approving will do, in Vietnamese. */
  action: string;
  /** The facts the page shows, label and value. */
  facts: [string, string][];
  details: string[];
  /**
   * The answers, when the decision is more than yes or no (a contract: renew, renew with conditions, end):
   * each is a button; its value goes to the workflow as the approval's `choice`.
   */
  options?: DecisionOption[] | undefined;
}

export interface DecisionOption {
  value: string;
  label: string;
  /** The approver must say why (e.g. the conditions of a renewal). */
  reasonRequired?: boolean | undefined;
}

/** What the subject is about, for logs and the trail: the case's stage or the decision. */
export function subjectTopic(subject: ApprovalSubject): string {
  return subject.kind === 'DECISION' ? subject.decision : subject.stage;
}

export interface ApprovalRecord {
  approvalId: string;
  state: ApprovalState;
  approver: Approver;
  subject: ApprovalSubject;
  /** Bound to this approval: a decision must carry it (the page's form does). */
  csrfToken: string;
  /** The Step Functions task token the decision completes. Secret: never rendered, sent or logged. */
  taskToken: string;
  createdAt: string;
  /** After this instant the link decides nothing. */
  expiresAt: string;
  decidedAt?: string | undefined;
  /** Decided by the approver the link belongs to (`approver`): possession of the link is the credential. */
  decision?: { reason?: string | undefined; choice?: string | undefined; channel: 'EMAIL_LINK' } | undefined;
  /** The approval that replaced this one (the supervisor's), when it was reassigned. */
  reassignedTo?: string | undefined;
  /** Why it was withdrawn undecided (the case was paid, paused, or no longer due for the stage). */
  withdrawnReason?: string | undefined;
  reminderSentAt?: string | undefined;
  /** When a workflow step handed the decision on (it was decided while no task waited). */
  forwardedAt?: string | undefined;
}

/** 18 random bytes: 144 bits, 24 URL-safe characters. */
export function newApprovalId(): string {
  return randomBytes(18).toString('base64url');
}

export function newCsrfToken(): string {
  return randomBytes(24).toString('base64url');
}

export const APPROVAL_ID = /^[A-Za-z0-9_-]{24}$/;

/** Compares secrets in constant time (a mismatch takes as long wherever it is). */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The decision form the confirmation page posts. */
export const decisionFormSchema = z.object({
  decision: z.string().regex(/^(approve|reject|option:[A-Z_]{1,40})$/, {
    error: 'decision must be approve, reject or one of the options',
  }),
  csrf: z.string().min(1, 'the form token is missing'),
  reason: z
    .string()
    .trim()
    .max(1000, 'the reason is longer than 1,000 characters')
    .optional()
    .transform((reason) => (reason ? reason : undefined)),
});
export type DecisionForm = z.output<typeof decisionFormSchema>;

/** A view of the record safe to log: no task token, no CSRF token. */
export function loggable(record: ApprovalRecord): Record<string, unknown> {
  return {
    approvalId: record.approvalId,
    state: record.state,
    caseId: record.subject.caseId,
    stage: subjectTopic(record.subject),
    approver: record.approver.officerId,
  };
}
