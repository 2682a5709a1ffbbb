/** A new approval, as the workflow's waiting task creates it: fresh id and CSRF token, PENDING until expiry. */
import {
  newApprovalId,
  newCsrfToken,
  type ApprovalRecord,
  type Approver,
  type ApprovalSubject,
} from './model.ts';

export function newApproval(input: {
  taskToken: string;
  approver: Approver;
  subject: ApprovalSubject;
  createdAt: string;
  expiresAt: string;
  approvalId?: string;
}): ApprovalRecord {
  return {
    approvalId: input.approvalId ?? newApprovalId(),
    state: 'PENDING',
    approver: input.approver,
    subject: input.subject,
    csrfToken: newCsrfToken(),
    taskToken: input.taskToken,
    createdAt: input.createdAt,
    expiresAt: input.expiresAt,
  };
}

/** The link an approver gets: the front door's address and the approval id, nothing else. */
export function approvalLink(baseUrl: string, approvalId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/approvals/${approvalId}`;
}
