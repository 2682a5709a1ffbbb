/** Lambda entry of the approval workflow's request-approval step (see approval-steps.ts). */
export { request as handler } from './approval-steps.ts';
