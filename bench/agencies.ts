/**
 * The agency review's figures, for `npm run bench -- --only agencies`: the pure review (validation, rules,
 * KPIs, D08a lists) at the national scale of the seeds (527 organisations, 53,000 collectors, 27,452
 * points, 12 months of enrolments), in one process. This is the review's compute alone; the target
 * (the whole monthly review on the embedded stack under 120 s) needs the workflow, which is not built yet.
 */
import { dueList } from '../functions/agencies/due-list.ts';
import { validateReviewData } from '../functions/agencies/model.ts';
import { reviewAgencies } from '../functions/agencies/review.ts';
import { addMonths } from '../functions/shared/calendar.ts';
import { generateAgencyProvince } from '../infra/local/seed-agencies.ts';

type Line = (label: string, value: string, target?: string, ok?: boolean) => void;
const fmt = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function benchAgencyReview(line: Line): void {
  const asOf = '2026-12-03';
  console.log('\nagencies: the monthly review, pure, at the national scale of the seeds (one process)');
  let started = performance.now();
  const province = generateAgencyProvince({
    asOf,
    organisations: 527,
    collectors: 53_000,
    points: 27_452,
    communes: 3_321,
    participants: 500_000,
  });
  line('generating (not counted)', `${((performance.now() - started) / 1000).toFixed(1)} s`);
  line(
    'records',
    `${fmt(province.collectors.length)} collectors, ${fmt(province.points.length)} points, ` +
      `${fmt(province.participants.length)} participants, ${fmt(province.enrolments.length)} enrolments`,
  );
  started = performance.now();
  const { data, rejected } = validateReviewData(province, asOf);
  const validated = performance.now();
  const review = reviewAgencies(data, addMonths(asOf.slice(0, 7), -1));
  const reviewed = performance.now();
  const lists = dueList(data.participants, asOf.slice(0, 7));
  const listed = performance.now();
  line('validation', `${((validated - started) / 1000).toFixed(2)} s (${rejected.length} rejected)`);
  line(
    'rules and KPIs',
    `${((reviewed - validated) / 1000).toFixed(2)} s (${fmt(review.findings.length)} findings)`,
  );
  line(
    'D08a-TS lists',
    `${((listed - reviewed) / 1000).toFixed(2)} s (${fmt([...lists.values()].flat().length)} due)`,
  );
  line('peak RSS, generation included', `${fmt(process.resourceUsage().maxRSS / 1024)} MB`);
}
