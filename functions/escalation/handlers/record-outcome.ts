/** Lambda entry of the approval workflow's record-outcome step (see approval-steps.ts). */
export { outcome as handler } from './approval-steps.ts';
