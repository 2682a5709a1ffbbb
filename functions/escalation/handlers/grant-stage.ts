/** Lambda entry of the approval workflow's grant-stage step (see approval-steps.ts). */
export { grant as handler } from './approval-steps.ts';
