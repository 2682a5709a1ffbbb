/**
 * `dondoc agencies list|show|review`: the collection service organisations' KPIs and findings.
 *
 *   dondoc agencies list [--month YYYY-MM] [--json]          the month's stored review, ranked
 *   dondoc agencies show ORG [--month YYYY-MM] [--json]      one organisation's stored review
 *   dondoc agencies review ORG [--month YYYY-MM] [--as-of YYYY-MM-DD] [--json]
 *                                                            reviews it now from the stored records
 *                                                            (writes and sends nothing)
 *
 * `--local` points at the embedded stack `npm start` serves. Bad input: exit 2 with the reason.
 */
import { findingLine, RULE_TITLE } from '../agencies/documents.ts';
import { validateReviewData } from '../agencies/model.ts';
import { AgencyRepository } from '../agencies/repository.ts';
import { reviewAgencies, type Finding, type OrganisationKpi } from '../agencies/review.ts';
import { awsClients } from '../shared/aws.ts';
import { addMonths, lastClosedPeriod, todayInVietnam } from '../shared/calendar.ts';
import { MONTH_PATTERN } from '../shared/schemas.ts';
import { UsageError, parseVerb, type CliIo } from './io.ts';

const USAGE = `usage:
  dondoc agencies list [--month YYYY-MM] [--as-of YYYY-MM-DD] [--json] [--local]
  dondoc agencies show ORG [--month YYYY-MM] [--json] [--local]
  dondoc agencies review ORG [--month YYYY-MM] [--as-of YYYY-MM-DD] [--json] [--local]`;

const OPTIONS = {
  month: { type: 'string' },
  'as-of': { type: 'string' },
  json: { type: 'boolean' },
  local: { type: 'boolean' },
} as const;
const ALLOWED: Record<string, (keyof typeof OPTIONS)[]> = {
  list: ['month', 'as-of', 'json', 'local'],
  show: ['month', 'as-of', 'json', 'local'],
  review: ['month', 'as-of', 'json', 'local'],
};

function describe(kpi: OrganisationKpi, findings: Finding[]): string {
  const measure = (label: string, key: 'newBhxh' | 'newBhyt' | 'renewals') =>
    `  ${label.padEnd(32)} ${String(kpi.month.actual[key]).padStart(5)}/${String(kpi.month.target[key]).padEnd(5)} ${String(kpi.month.percent[key]).padStart(4)}%   quý ${kpi.quarterToDate.actual[key]}/${kpi.quarterToDate.target[key]}`;
  return [
    `${kpi.organisationCode}  ${kpi.name}  (hoàn thành ${kpi.score}%)`,
    measure('Phát triển mới BHXH tự nguyện', 'newBhxh'),
    measure('Phát triển mới BHYT hộ gia đình', 'newBhyt'),
    measure('Vận động đóng tiếp', 'renewals'),
    `  Tuần đạt chỉ tiêu: ${kpi.weeks.met}/${kpi.weeks.of}; nhân viên thu: ${kpi.collectors.length}`,
    ...(findings.length
      ? findings.map((f) => `  ! ${RULE_TITLE[f.rule]}: ${findingLine(f)}`)
      : ['  Không có vi phạm.']),
  ].join('\n');
}

export async function agenciesCommand(args: string[], io: CliIo): Promise<void> {
  const [verb, ...rest] = args;
  if (!verb || !(verb in ALLOWED)) throw new UsageError(USAGE);
  const { values, positionals } = parseVerb(verb, rest, OPTIONS, ALLOWED, USAGE);
  const asOf = values['as-of'] ?? todayInVietnam();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new UsageError(`--as-of '${asOf}' is not a date YYYY-MM-DD`);
  const month = values.month ?? lastClosedPeriod(asOf);
  if (!MONTH_PATTERN.test(month)) throw new UsageError(`--month '${month}' is not a month YYYY-MM`);
  const repository = new AgencyRepository(awsClients().dynamo);
  const print = (text: string) => io.stdout(`${text}\n`);

  if (verb === 'list') {
    if (positionals.length > 0) throw new UsageError(USAGE);
    const summary = await repository.summary(month);
    if (!summary) throw new UsageError(`no review of ${month} yet (the AgencyReview workflow stores it)`);
    if (values.json) return print(JSON.stringify(summary, null, 2));
    summary.ranking.forEach((r, i) =>
      print(
        `${String(i + 1).padStart(3)}. ${r.organisationCode}  ${String(r.score).padStart(4)}%  ${r.name}`,
      ),
    );
    print(
      `vi phạm: ${
        Object.entries(summary.findings)
          .map(([rule, n]) => `${rule} ${n}`)
          .join(', ') || 'không có'
      }`,
    );
    // Summaries stored before the total was kept hold the whole list.
    print(`bản ghi bị loại: ${(summary.totalRejected as number | undefined) ?? summary.rejected.length}`);
    return;
  }
  const [code, ...extra] = positionals;
  if (!code || extra.length > 0) throw new UsageError(`one ORG (mã tổ chức) is needed\n${USAGE}`);
  if (!(await repository.organisationCodes()).includes(code)) throw new UsageError(`no organisation ${code}`);

  if (verb === 'show') {
    const review = await repository.review(code, month);
    if (!review) throw new UsageError(`no review of ${code} for ${month} yet`);
    if (values.json) return print(JSON.stringify(review, null, 2));
    print(describe(review.kpi, review.findings));
    print(`  báo cáo: ${review.report ? `${review.report.status} ${review.report.at}` : 'chưa gửi'}`);
    return;
  }
  // review ORG: the rules and KPIs now, from the stored records, for this organisation only.
  const { data, rejected } = validateReviewData(await repository.loadProvince(addMonths(month, -11)), asOf);
  const review = reviewAgencies(data, month);
  const kpi = review.kpis.find((k) => k.organisationCode === code);
  if (!kpi)
    throw new UsageError(
      `${code} could not be reviewed: ${rejected.find((r) => r.id === code)?.reason ?? 'rejected'}`,
    );
  const findings = review.findings.filter((f) => f.organisationCode === code);
  if (values.json) return print(JSON.stringify({ month, kpi, findings }, null, 2));
  print(`Đánh giá tháng ${month} (tính lại lúc này, không gửi gì):`);
  print(describe(kpi, findings));
}
