/**
 * The monthly review of the collection service organisations (domain.md section 5), pure: validated data
 * in, KPIs and findings with their evidence out. The thresholds are policy data (AGENCY_POLICY), with the
 * instrument that sets them.
 *
 * Months are Vietnam calendar months (YYYY-MM); the review covers one closed month and the quarter to date.
 */
import { addDays, addMonths, firstDayOf, lastDayOf, periodOf } from '../shared/calendar.ts';
import { groupBy } from '../shared/collections.ts';
import type {
  CollectionPoint,
  Collector,
  Enrolment,
  Organisation,
  Participant,
  ReviewData,
} from './model.ts';

export interface AgencyPolicy {
  version: string;
  effectiveFrom: string;
  instrument: string;
  /** A collector with no new participant for this many consecutive months is terminated. */
  inactiveMonths: number;
  /** Working days the managing officer has to decide a proposal by link (dondoc's rule, as escalations). */
  approvalWorkingDays: number;
}

export const AGENCY_POLICY: AgencyPolicy = {
  version: '2023-1362',
  effectiveFrom: '2023-04-01',
  instrument: 'Công văn 1362/BHXH-TST (2023)',
  inactiveMonths: 6,
  approvalWorkingDays: 3,
};

export type FindingRule =
  | 'INACTIVE_COLLECTOR'
  | 'COLLECTOR_IN_TWO_ORGANISATIONS'
  | 'OUTSIDE_REGISTERED_COMMUNES'
  | 'RENEWAL_BY_OTHER_ORGANISATION'
  | 'NEW_PARTICIPANT_OF_OTHER_ORGANISATION'
  | 'COMMUNE_WITHOUT_POINT'
  | 'POINT_WITHOUT_SIGNBOARD'
  | 'TARGET_MISSED';

/** What a finding proposes, when it is a decision an officer must approve. */
export type Proposal = 'TERMINATE_COLLECTOR';

export interface Finding {
  rule: FindingRule;
  /** The organisation it concerns (none for a commune without a point). */
  organisationCode?: string | undefined;
  /** What it is about: a collector, a national ID, a commune, a point, an enrolment. */
  subject: string;
  /** Stable key: the same breach in the same month is the same finding (re-runs store it once). */
  key: string;
  evidence: Record<string, unknown>;
  proposal?: Proposal | undefined;
}

export interface Counts {
  newBhxh: number;
  newBhyt: number;
  renewals: number;
}

export interface Completion {
  actual: Counts;
  target: Counts;
  /** Per measure, actual / target in whole percent (100 when the target is 0). */
  percent: Counts;
}

export interface OrganisationKpi {
  organisationCode: string;
  name: string;
  month: Completion;
  quarterToDate: Completion & { quarter: string; monthsElapsed: number };
  /** Weeks (Monday to Sunday, ending in the month) that met every weekly target, of those ending in it. */
  weeks: { met: number; of: number };
  /** Overall completion for ranking: the mean of the month's three percents. */
  score: number;
  collectors: CollectorKpi[];
}

export interface CollectorKpi {
  collectorId: string;
  name: string;
  newParticipants: number;
  renewals: number;
  target?: number | undefined;
}

export interface ReviewResult {
  month: string;
  policyVersion: string;
  kpis: OrganisationKpi[];
  findings: Finding[];
}

const emptyCounts = (): Counts => ({ newBhxh: 0, newBhyt: 0, renewals: 0 });

function add(counts: Counts, enrolment: Enrolment): void {
  if (enrolment.kind === 'RENEWAL') counts.renewals++;
  else if (enrolment.product === 'BHXH_TN') counts.newBhxh++;
  else counts.newBhyt++;
}

function completion(actual: Counts, target: Counts): Completion {
  const pct = (a: number, t: number) => (t === 0 ? 100 : Math.floor((a * 100) / t));
  return {
    actual,
    target,
    percent: {
      newBhxh: pct(actual.newBhxh, target.newBhxh),
      newBhyt: pct(actual.newBhyt, target.newBhyt),
      renewals: pct(actual.renewals, target.renewals),
    },
  };
}

/** Calendar quarter of a month: `2026-Q4`, and its first month. */
function quarterOf(month: string): { quarter: string; first: string } {
  const [year, m] = month.split('-').map(Number) as [number, number];
  const q = Math.floor((m - 1) / 3);
  return { quarter: `${year}-Q${q + 1}`, first: `${year}-${String(q * 3 + 1).padStart(2, '0')}` };
}

/** The Sundays of the month, each closing a Monday-to-Sunday week. */
function weeksEndingIn(month: string): { from: string; to: string }[] {
  const weeks: { from: string; to: string }[] = [];
  const [year, m] = month.split('-').map(Number) as [number, number];
  const days = new Date(Date.UTC(year, m, 0)).getUTCDate();
  for (let day = 1; day <= days; day++) {
    const date = new Date(Date.UTC(year, m - 1, day));
    if (date.getUTCDay() !== 0) continue;
    const from = new Date(date.getTime() - 6 * 86_400_000).toISOString().slice(0, 10);
    weeks.push({ from, to: date.toISOString().slice(0, 10) });
  }
  return weeks;
}

const active = (collector: Collector, month: string) =>
  periodOf(collector.registeredAt) <= month && (!collector.leftAt || periodOf(collector.leftAt) > month);

/** Months after `from` (exclusive) up to `to` (inclusive). */
function monthsAfter(from: string, to: string): string[] {
  const months: string[] = [];
  for (let m = addMonths(from, 1); m <= to; m = addMonths(m, 1)) months.push(m);
  return months;
}

function inactiveCollectors(
  data: ReviewData,
  month: string,
  policy: AgencyPolicy,
  participants: ReadonlyMap<string, Participant>,
): Finding[] {
  // A new participant is one the collector's organisation manages: "new" enrolments of another's
  // participant are a finding, and keep no collector active.
  const lastNew = new Map<string, string>();
  // Latest first (enrolments come in date order): once a collector's latest own new participant is found,
  // its older enrolments fail the cheap date test and need no participant lookup.
  for (let i = data.enrolments.length - 1; i >= 0; i--) {
    const e = data.enrolments[i]!;
    if (e.kind !== 'NEW' || periodOf(e.date) > month) continue;
    const seen = lastNew.get(e.collectorId);
    if (seen && e.date <= seen) continue;
    if (participants.get(e.participantId)?.managedBy !== e.organisationCode) continue;
    lastNew.set(e.collectorId, e.date);
  }
  const setAsideOf = groupBy(data.setAsideEnrolments ?? [], (e) => e.collectorId);
  // Months before the enrolments read are unknown: a collector registered earlier with no new participant
  // since has gone at least that long without one, and the evidence says "at least", not a false count.
  const knownSince = data.enrolmentsFrom && addMonths(data.enrolmentsFrom, -1);
  const findings: Finding[] = [];
  for (const collector of data.collectors) {
    if (!active(collector, month)) continue;
    const last = lastNew.get(collector.collectorId);
    // The month of registration (or of the last new participant) counts as active; the run starts after it.
    let since = periodOf(last && last > collector.registeredAt ? last : collector.registeredAt);
    const atLeast = !last && knownSince !== undefined && since < knownSince;
    if (atLeast) since = knownSince;
    const without = monthsAfter(since, month);
    if (without.length < policy.inactiveMonths) continue;
    // A new participant of this collector's set aside (unreadable, or its participant's record wrong) may
    // be real: the finding stands, the termination waits until the records are corrected.
    const doubtful = (setAsideOf.get(collector.collectorId) ?? []).filter(
      (e) =>
        e.kind !== 'RENEWAL' && (e.date === null || (periodOf(e.date) > since && periodOf(e.date) <= month)),
    ).length;
    findings.push({
      rule: 'INACTIVE_COLLECTOR',
      organisationCode: collector.organisationCode,
      subject: collector.collectorId,
      key: `INACTIVE_COLLECTOR#${collector.collectorId}`,
      evidence: {
        collector: collector.name,
        registeredAt: collector.registeredAt,
        lastNewParticipant: last ?? null,
        ...(atLeast ? { lastNewBefore: data.enrolmentsFrom } : {}),
        monthsWithoutNewParticipant: without.length,
        atLeast,
        months: without,
        ...(doubtful > 0 ? { setAsideNewEnrolments: doubtful } : {}),
        rule: `${policy.inactiveMonths} consecutive months without a new participant (${policy.instrument})`,
      },
      proposal: doubtful > 0 ? undefined : 'TERMINATE_COLLECTOR',
    });
  }
  return findings;
}

/**
 * One person (national ID) registered with two organisations at once on some day of the month: the
 * registrations' spans [registeredAt, leftAt) overlap inside the month, even for a few days.
 */
function collectorsInTwoOrganisations(collectors: readonly Collector[], month: string): Finding[] {
  const monthStart = firstDayOf(month);
  const monthEnd = lastDayOf(month);
  const spanOf = (c: Collector) => ({
    from: c.registeredAt > monthStart ? c.registeredAt : monthStart,
    // The last day registered within the month (leftAt is the first day no longer registered).
    to: c.leftAt && addDays(c.leftAt, -1) < monthEnd ? addDays(c.leftAt, -1) : monthEnd,
  });
  const byNationalId = groupBy(
    collectors.filter((c) => {
      const span = spanOf(c);
      return span.from <= span.to;
    }),
    (c) => c.nationalId,
  );
  const findings: Finding[] = [];
  for (const [nationalId, registrations] of byNationalId) {
    const overlapping = registrations.filter((a) =>
      registrations.some((b) => {
        if (a.organisationCode === b.organisationCode) return false;
        const [x, y] = [spanOf(a), spanOf(b)];
        return (x.from > y.from ? x.from : y.from) <= (x.to < y.to ? x.to : y.to);
      }),
    );
    const organisations = [...new Set(overlapping.map((c) => c.organisationCode))].sort();
    if (organisations.length < 2) continue;
    for (const organisationCode of organisations) {
      findings.push({
        rule: 'COLLECTOR_IN_TWO_ORGANISATIONS',
        organisationCode,
        subject: nationalId,
        key: `COLLECTOR_IN_TWO_ORGANISATIONS#${nationalId}#${organisationCode}`,
        evidence: {
          nationalId,
          organisations,
          registrations: overlapping.map((c) => ({
            collectorId: c.collectorId,
            organisationCode: c.organisationCode,
            name: c.name,
            registeredAt: c.registeredAt,
            leftAt: c.leftAt ?? null,
          })),
        },
      });
    }
  }
  return findings;
}

const EVIDENCE_LIMIT = 20;

function outsideRegisteredCommunes(
  organisations: ReadonlyMap<string, Organisation>,
  enrolments: readonly Enrolment[],
  month: string,
): Finding[] {
  const groups = groupBy(
    enrolments.filter((e) => {
      const org = organisations.get(e.organisationCode);
      return periodOf(e.date) === month && org !== undefined && !org.communes.includes(e.commune);
    }),
    (e) => `${e.organisationCode}#${e.commune}`,
  );
  return [...groups.entries()].map(([key, group]) => ({
    rule: 'OUTSIDE_REGISTERED_COMMUNES' as const,
    organisationCode: group[0]!.organisationCode,
    subject: group[0]!.commune,
    key: `OUTSIDE_REGISTERED_COMMUNES#${key}`,
    evidence: {
      commune: group[0]!.commune,
      registeredCommunes: organisations.get(group[0]!.organisationCode)!.communes,
      enrolments: group.length,
      examples: group.slice(0, EVIDENCE_LIMIT).map((e) => ({ enrolmentId: e.enrolmentId, date: e.date })),
    },
  }));
}

/**
 * Enrolments of the month for a participant another organisation manages: a renewal solicited from it
 * (forbidden), or a "new" participant who is not new (counted for nobody's target).
 */
function enrolmentsOfOthersParticipants(
  participants: ReadonlyMap<string, Participant>,
  enrolments: readonly Enrolment[],
  month: string,
): Finding[] {
  const findings: Finding[] = [];
  for (const e of enrolments) {
    if (periodOf(e.date) !== month) continue;
    const participant = participants.get(e.participantId);
    if (!participant || participant.managedBy === e.organisationCode) continue;
    const rule =
      e.kind === 'RENEWAL' ? 'RENEWAL_BY_OTHER_ORGANISATION' : 'NEW_PARTICIPANT_OF_OTHER_ORGANISATION';
    findings.push({
      rule,
      organisationCode: e.organisationCode,
      subject: e.enrolmentId,
      key: `${rule}#${e.enrolmentId}`,
      evidence: {
        participantId: e.participantId,
        managedBy: participant.managedBy,
        collectedBy: e.organisationCode,
        collectorId: e.collectorId,
        date: e.date,
      },
    });
  }
  return findings;
}

function communesWithoutPoint(communes: readonly string[], points: readonly CollectionPoint[]): Finding[] {
  const served = new Set(points.map((point) => point.commune));
  return communes
    .filter((commune) => !served.has(commune))
    .map((commune) => ({
      rule: 'COMMUNE_WITHOUT_POINT' as const,
      subject: commune,
      key: `COMMUNE_WITHOUT_POINT#${commune}`,
      evidence: { commune },
    }));
}

function pointsWithoutSignboard(points: readonly CollectionPoint[]): Finding[] {
  return points
    .filter((point) => !point.signboard)
    .map((point) => ({
      rule: 'POINT_WITHOUT_SIGNBOARD' as const,
      organisationCode: point.organisationCode,
      subject: point.pointId,
      key: `POINT_WITHOUT_SIGNBOARD#${point.pointId}`,
      evidence: { pointId: point.pointId, commune: point.commune, address: point.address ?? null },
    }));
}

/**
 * Whether an enrolment counts towards its organisation's targets in a window (any label naming it): only
 * the managing organisation's own count (another's participant is a finding, not a result), and a new
 * participant counts once per product and window, however many "new" enrolments it has.
 */
function countsTowardsTargets(participants: ReadonlyMap<string, Participant>) {
  // One set per window and product, keyed by the participant alone: the organisation is the participant's
  // own (checked first), so no key string is built per enrolment.
  const seenNew = new Map<string, Set<string>>();
  return {
    /** The enrolment's participant is its organisation's own (one lookup per enrolment). */
    own: (e: Enrolment) => participants.get(e.participantId)?.managedBy === e.organisationCode,
    /** For an enrolment of the organisation's own: not a second "new" of the same person in the window. */
    inWindow: (e: Enrolment, window: string): boolean => {
      if (e.kind !== 'NEW') return true;
      const set = `${window}#${e.product}`;
      let seen = seenNew.get(set);
      if (!seen) seenNew.set(set, (seen = new Set()));
      if (seen.has(e.participantId)) return false;
      seen.add(e.participantId);
      return true;
    },
  };
}

function kpis(
  data: ReviewData,
  month: string,
  participants: ReadonlyMap<string, Participant>,
): OrganisationKpi[] {
  const { quarter, first } = quarterOf(month);
  const weeks = weeksEndingIn(month);
  const byOrg = new Map<string, { month: Counts; quarter: Counts; weekly: Counts[] }>();
  const byCollector = new Map<string, { newParticipants: number; renewals: number }>();
  for (const org of data.organisations) {
    byOrg.set(org.code, { month: emptyCounts(), quarter: emptyCounts(), weekly: weeks.map(emptyCounts) });
  }
  const towards = countsTowardsTargets(participants);
  const counts = towards.inWindow;
  // The first week ending in the month may start in the month before, even before the quarter.
  const firstWeekMonth = weeks[0] ? periodOf(weeks[0].from) : month;
  const earliest = firstWeekMonth < first ? firstWeekMonth : first;
  for (const e of data.enrolments) {
    const orgCounts = byOrg.get(e.organisationCode);
    if (!orgCounts) continue;
    const m = periodOf(e.date);
    // Only enrolments the month, the quarter or a week can count need the participant looked up.
    if (m < earliest || m > month || !towards.own(e)) continue;
    if (m === month && counts(e, 'M')) {
      add(orgCounts.month, e);
      const mine = byCollector.get(e.collectorId) ?? { newParticipants: 0, renewals: 0 };
      if (e.kind === 'NEW') mine.newParticipants++;
      else mine.renewals++;
      byCollector.set(e.collectorId, mine);
    }
    if (m >= first && m <= month && counts(e, 'Q')) add(orgCounts.quarter, e);
    weeks.forEach((week, i) => {
      if (e.date >= week.from && e.date <= week.to && counts(e, `W${i}`)) add(orgCounts.weekly[i]!, e);
    });
  }
  const monthsElapsed = monthsAfter(addMonths(first, -1), month).length;
  const collectorsOf = groupBy(
    data.collectors.filter((c) => active(c, month)),
    (c) => c.organisationCode,
  );
  return data.organisations.map((org) => {
    const counts = byOrg.get(org.code)!;
    const monthCompletion = completion(counts.month, org.targets.monthly);
    const metWeeks = counts.weekly.filter((w) =>
      Object.values(completion(w, org.targets.weekly).percent).every((p) => p >= 100),
    ).length;
    return {
      organisationCode: org.code,
      name: org.name,
      month: monthCompletion,
      quarterToDate: {
        ...completion(counts.quarter, org.targets.quarterly),
        quarter,
        monthsElapsed,
      },
      weeks: { met: metWeeks, of: weeks.length },
      score: Math.floor(
        (monthCompletion.percent.newBhxh +
          monthCompletion.percent.newBhyt +
          monthCompletion.percent.renewals) /
          3,
      ),
      collectors: (collectorsOf.get(org.code) ?? []).map((c) => ({
        collectorId: c.collectorId,
        name: c.name,
        ...(byCollector.get(c.collectorId) ?? { newParticipants: 0, renewals: 0 }),
        target: org.collectorMonthlyTarget?.newParticipants,
      })),
    };
  });
}

function targetsMissed(results: readonly OrganisationKpi[]): Finding[] {
  return results
    .filter((kpi) => Object.values(kpi.month.percent).some((p) => p < 100))
    .map((kpi) => ({
      rule: 'TARGET_MISSED' as const,
      organisationCode: kpi.organisationCode,
      subject: kpi.organisationCode,
      key: `TARGET_MISSED#${kpi.organisationCode}`,
      evidence: { actual: kpi.month.actual, target: kpi.month.target, percent: kpi.month.percent },
    }));
}

/** The review of `month` (YYYY-MM): every organisation's KPIs and every finding, in a stable order. */
export function reviewAgencies(
  data: ReviewData,
  month: string,
  policy: AgencyPolicy = AGENCY_POLICY,
): ReviewResult {
  const organisations = new Map(data.organisations.map((org) => [org.code, org]));
  const participants = new Map(data.participants.map((p) => [p.participantId, p]));
  const results = kpis(data, month, participants);
  const findings = [
    ...inactiveCollectors(data, month, policy, participants),
    ...collectorsInTwoOrganisations(data.collectors, month),
    ...outsideRegisteredCommunes(organisations, data.enrolments, month),
    ...enrolmentsOfOthersParticipants(participants, data.enrolments, month),
    ...communesWithoutPoint(data.communes, data.points),
    ...pointsWithoutSignboard(data.points),
    ...targetsMissed(results),
  ].sort((a, b) => a.key.localeCompare(b.key));
  return {
    month,
    policyVersion: policy.version,
    kpis: results.sort((a, b) => b.score - a.score || a.organisationCode.localeCompare(b.organisationCode)),
    findings,
  };
}

export interface ContractReviewDue {
  organisationCode: string;
  /** SIX_MONTHLY: every six months of the contract; ENDING: within 60 days of its end. */
  reason: 'SIX_MONTHLY' | 'ENDING';
  /** Once per six-month mark (the month) or per contract end (the end date). */
  key: string;
  period: { from: string; to: string };
  figures: Completion;
  findings: number;
}

/** Days before a contract's end when its review falls due (dondoc's cadence, domain.md section 5). */
export const CONTRACT_REVIEW_DAYS_BEFORE_END = 60;

/**
 * The contract reviews due with the review of `month`: every six months from the contract's start, and once
 * within 60 days of its end; each with the six months' figures against six times the monthly targets.
 */
export function contractReviewsDue(
  data: ReviewData,
  month: string,
  asOf: string,
  findings: readonly Finding[],
): ContractReviewDue[] {
  const from = addMonths(month, -5);
  const horizon = addDays(asOf, CONTRACT_REVIEW_DAYS_BEFORE_END);
  const reviewed = data.organisations.flatMap((org) => {
    // Months of the contract so far, the month it started in counted: a contract from May has its first
    // six months reviewed with October's review, over May to October.
    const elapsed = monthsAfter(addMonths(periodOf(org.contract.start), -1), month).length;
    const ending = org.contract.end > asOf && org.contract.end <= horizon;
    const sixMonthly = elapsed > 0 && elapsed % 6 === 0 && periodOf(org.contract.end) > month;
    return ending || sixMonthly ? [{ org, ending }] : [];
  });
  if (reviewed.length === 0) return [];
  // The six months' figures, for the organisations reviewed only.
  const codes = new Set(reviewed.map(({ org }) => org.code));
  const participants = new Map(
    data.participants.filter((p) => codes.has(p.managedBy)).map((p) => [p.participantId, p]),
  );
  const towards = countsTowardsTargets(participants);
  const counts = new Map<string, Counts>();
  for (const e of data.enrolments) {
    if (!codes.has(e.organisationCode)) continue;
    const m = periodOf(e.date);
    if (m < from || m > month || !towards.own(e) || !towards.inWindow(e, 'SIX_MONTHS')) continue;
    const c = counts.get(e.organisationCode) ?? emptyCounts();
    add(c, e);
    counts.set(e.organisationCode, c);
  }
  const due = reviewed.map(({ org, ending }): ContractReviewDue => {
    const target = org.targets.monthly;
    return {
      organisationCode: org.code,
      reason: ending ? 'ENDING' : 'SIX_MONTHLY',
      key: ending ? `ENDING#${org.contract.end}` : `SIX_MONTHLY#${month}`,
      period: { from, to: month },
      figures: completion(counts.get(org.code) ?? emptyCounts(), {
        newBhxh: target.newBhxh * 6,
        newBhyt: target.newBhyt * 6,
        renewals: target.renewals * 6,
      }),
      findings: findings.filter((f) => f.organisationCode === org.code).length,
    };
  });
  return due;
}
