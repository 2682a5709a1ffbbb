/** Lambda entry of the approval workflow's plan-approval step (see approval-steps.ts). */
export { plan as handler } from './approval-steps.ts';
