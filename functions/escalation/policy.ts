/**
 * The enforcement ladder as versioned policy data (domain.md section 4): stages in order, what makes each
 * one due, who approves it, the approval deadline, the penalty scales (effective-dated) and the conditions
 * of a criminal referral. An administrator publishes a new version to change a threshold (policy-store.ts,
 * `dondoc policy publish`); a case keeps the version it was opened under (`policyFor`).
 *
 * dondoc's rules where the law sets no figure (domain.md leaves them to policy): inspection from 90 days
 * late, the penalty proposal from 120 days, evasion counted from 60 days late (urged), the urging letter in
 * the first 10 days of a month. Days late never count paused days.
 */
export const STAGES = [
  'REMINDER',
  'URGING_LETTER',
  'WORKING_SESSION',
  'EVASION_NOTICE',
  'INSPECTION',
  'ADMIN_PENALTY',
  'CRIMINAL_REFERRAL',
] as const;
export type Stage = (typeof STAGES)[number];

/** A stage's name as officers say it (pages and the trail); the code stays the CLI's and the data's. */
export const STAGE_NAME: Record<Stage, string> = {
  REMINDER: 'Nhắc nợ',
  URGING_LETTER: 'Văn bản đôn đốc',
  WORKING_SESSION: 'Làm việc với đơn vị',
  EVASION_NOTICE: 'Thông báo trốn đóng',
  INSPECTION: 'Thanh tra đột xuất',
  ADMIN_PENALTY: 'Xử phạt vi phạm hành chính',
  CRIMINAL_REFERRAL: 'Chuyển cơ quan điều tra (Điều 216 BLHS)',
};

/** The name of a stage code as stored (NONE: no stage yet; an unknown code as it is). */
export function stageName(stage: string): string {
  if (stage === 'NONE') return 'Chưa có bước nào';
  return STAGE_NAME[stage as Stage] ?? stage;
}

export type ApproverRole = 'OFFICER' | 'SUPERVISOR' | 'DIRECTOR';

export interface StageRule {
  stage: Stage;
  /** Days past the deadline of the oldest overdue charge, paused days not counted, from which it is due. */
  minDaysLate: number;
  /**
   * Who decides, in order; empty: automatic. Two roles are two approvals by two different people (the
   * officer, then the supervisor or the director).
   */
  approvers: ApproverRole[];
  /** Only on these days of the month (the urging letter goes out in the first 10). */
  daysOfMonth?: { from: number; to: number };
}

/** A penalty scale in force from `from` (Decree 12/2022, then its successor). */
export interface PenaltyScale {
  from: string;
  /** The instrument the figures come from, shown on the proposal. */
  instrument: string;
  /** False while the figures are carried over until the new instrument's are confirmed. */
  confirmed: boolean;
  /** Late payment: a share of the amount due, in pcm (12% = 12_000), at most `capVnd`. */
  latePayment: { minPcm: number; maxPcm: number; capVnd: number };
  /** Evasion: a fixed range. */
  evasion: { minVnd: number; maxVnd: number };
  /** The figures are for an individual; an organisation pays this multiple. */
  organisationMultiplier: number;
}

export interface EscalationPolicy {
  version: string;
  /** Cases opened on or after this date get this version (until a later one). */
  effectiveFrom: string;
  stages: StageRule[];
  /** Days late from which unpaid, urged contributions are evasion (trốn đóng). */
  evasionAfterDaysLate: number;
  /** Working days an approver has before one reminder, and as long again before the supervisor takes over. */
  approvalWorkingDays: number;
  penalties: PenaltyScale[];
  /** Penal Code Art. 216: all of these, and (amount or workers). */
  criminalReferral: { minEvasionMonths: number; minAmountVnd: number; minWorkers: number };
  /**
   * The office's own days off besides weekends and Vietnam's public holidays (functions/shared/holidays.ts,
   * which every version uses), ISO dates.
   */
  holidays: string[];
}

const DECREE_12_2022 = {
  latePayment: { minPcm: 12_000, maxPcm: 15_000, capVnd: 75_000_000 },
  evasion: { minVnd: 50_000_000, maxVnd: 75_000_000 },
  organisationMultiplier: 2,
};

export const DEFAULT_ESCALATION_POLICY: EscalationPolicy = {
  version: '2026-07-01',
  effectiveFrom: '2025-07-01',
  stages: [
    { stage: 'REMINDER', minDaysLate: 1, approvers: [] },
    { stage: 'URGING_LETTER', minDaysLate: 1, approvers: [], daysOfMonth: { from: 1, to: 10 } },
    { stage: 'WORKING_SESSION', minDaysLate: 30, approvers: ['OFFICER'] },
    { stage: 'EVASION_NOTICE', minDaysLate: 60, approvers: ['OFFICER'] },
    { stage: 'INSPECTION', minDaysLate: 90, approvers: ['OFFICER', 'SUPERVISOR'] },
    { stage: 'ADMIN_PENALTY', minDaysLate: 120, approvers: ['SUPERVISOR'] },
    { stage: 'CRIMINAL_REFERRAL', minDaysLate: 120, approvers: ['OFFICER', 'DIRECTOR'] },
  ],
  evasionAfterDaysLate: 60,
  approvalWorkingDays: 3,
  penalties: [
    { from: '2022-01-17', instrument: 'Nghị định 12/2022/NĐ-CP', confirmed: true, ...DECREE_12_2022 },
    // Decree 283/2026 replaces it from 2026-09-10; its figures are to be confirmed (domain.md): until an
    // administrator enters them, the old ones are carried over and every proposal says so.
    { from: '2026-09-10', instrument: 'Nghị định 283/2026/NĐ-CP', confirmed: false, ...DECREE_12_2022 },
  ],
  criminalReferral: { minEvasionMonths: 6, minAmountVnd: 50_000_000, minWorkers: 10 },
  // Vietnam's public holidays are not policy: every version uses functions/shared/holidays.ts.
  holidays: [],
};

export class UnknownPolicyVersionError extends Error {
  override name = 'UnknownPolicyVersionError';
}

/** The version a case opened on `isoDate` gets: the latest one in force then (versions oldest first). */
export function policyForNewCase(isoDate: string, versions: readonly EscalationPolicy[]): EscalationPolicy {
  let found: EscalationPolicy | undefined;
  for (const policy of versions) if (policy.effectiveFrom <= isoDate) found = policy;
  if (!found) throw new UnknownPolicyVersionError(`no escalation policy in force on ${isoDate}`);
  return found;
}

/** The version a case keeps for its whole life. */
export function policyFor(version: string, versions: readonly EscalationPolicy[]): EscalationPolicy {
  const policy = versions.find((candidate) => candidate.version === version);
  if (!policy) throw new UnknownPolicyVersionError(`escalation policy version ${version} is not published`);
  return policy;
}
