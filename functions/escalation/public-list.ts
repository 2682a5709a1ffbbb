/**
 * The public list of employers late in paying (Law 41/2024 Art. 35), as a page and a JSON feed: every
 * open case that has had its urging letter, with the amount as of its latest statement, and whether it is
 * classed as evasion. Paused cases (force majeure, a dispute, a legal suspension) are not published.
 * Pure: cases in, page and feed out.
 */
import { formatDate, formatMonth, formatVnd } from '../c12/notice/format.ts';
import { escapeHtml } from '../shared/html.ts';
import { formatInstant } from '../approvals/pages.ts';
import { STAGES, type Stage } from './policy.ts';
import type { EscalationCase } from './repository.ts';

export interface LatePayer {
  employerId: string;
  name: string;
  overdueVnd: number;
  /** The deadline of the oldest unpaid charge. */
  since: string | null;
  classification: 'CHAM_DONG' | 'TRON_DONG';
  /** The statement month the amount is from. */
  asOfPeriod: string;
}

export interface LatePayerFeed {
  title: string;
  office: string;
  generatedAt: string;
  legalBasis: string;
  entries: LatePayer[];
}

const rank = (stage: Stage | 'NONE') => (stage === 'NONE' ? -1 : STAGES.indexOf(stage));

export function latePayers(cases: readonly EscalationCase[]): LatePayer[] {
  return cases
    .filter((kase) => kase.status === 'OPEN' && rank(kase.stage) >= rank('URGING_LETTER'))
    .map((kase) => ({
      employerId: kase.employerId,
      name: kase.employerName ?? kase.employerId,
      overdueVnd: kase.overduePrincipal + kase.overdueInterest,
      since: kase.oldestOverdueDueDate,
      classification:
        rank(kase.stage) >= rank('EVASION_NOTICE') ? ('TRON_DONG' as const) : ('CHAM_DONG' as const),
      asOfPeriod: kase.lastStatementPeriod,
    }))
    .sort((a, b) => b.overdueVnd - a.overdueVnd || a.employerId.localeCompare(b.employerId));
}

export function latePayerFeed(
  cases: readonly EscalationCase[],
  office: string,
  generatedAt: string,
): LatePayerFeed {
  return {
    title: 'Danh sách đơn vị chậm đóng, trốn đóng BHXH, BHYT, BHTN',
    office,
    generatedAt,
    legalBasis: 'Điều 35 Luật Bảo hiểm xã hội số 41/2024/QH15',
    entries: latePayers(cases),
  };
}

export function latePayerPage(feed: LatePayerFeed): string {
  const rows = feed.entries
    .map(
      (entry, index) =>
        `<tr><td>${index + 1}</td><td>${escapeHtml(entry.employerId)}</td><td>${escapeHtml(entry.name)}</td>` +
        `<td class="n">${escapeHtml(formatVnd(entry.overdueVnd))}</td><td>${entry.since ? escapeHtml(formatDate(entry.since)) : ''}</td>` +
        `<td>${entry.classification === 'TRON_DONG' ? 'Trốn đóng' : 'Chậm đóng'}</td><td>${escapeHtml(formatMonth(entry.asOfPeriod))}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(feed.title)}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:70rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left}.n{text-align:right}
th{background:#eee}.note{color:#555;font-size:.9rem}
</style>
</head>
<body>
<h1>${escapeHtml(feed.title)}</h1>
<p>${escapeHtml(feed.office)} công khai theo ${escapeHtml(feed.legalBasis)}. Số liệu đến kỳ thông báo gần nhất của từng đơn vị.</p>
<table>
<thead><tr><th>STT</th><th>Mã đơn vị</th><th>Tên đơn vị</th><th>Số tiền quá hạn</th><th>Hạn đóng đã quá</th><th>Tình trạng</th><th>Số liệu kỳ</th></tr></thead>
<tbody>
${rows || '<tr><td colspan="7">Không có đơn vị nào.</td></tr>'}
</tbody>
</table>
<p class="note">${feed.entries.length} đơn vị. Cập nhật lúc ${escapeHtml(formatInstant(feed.generatedAt))}. Dữ liệu dạng JSON: <a href="cham-dong.json">cham-dong.json</a>.</p>
</body>
</html>
`;
}
