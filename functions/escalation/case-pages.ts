/**
 * The case pages of the admin surface, in Vietnamese (the officers' and the record's language): the cases
 * of a status, and one case with its debt, stage, documents, pauses, the approval it waits for and its whole
 * audit trail, with the pause or resume form. Pure: records in, HTML out, every value escaped, no script.
 */
import { formatDate, formatMonth, formatVnd } from '../c12/notice/format.ts';
import { formatInstant, trailTable } from '../approvals/pages.ts';
import { escapeHtml as e } from '../shared/html.ts';
import { adminPage } from '../schedules/pages.ts';
import { STAGE_ACTION } from './documents.ts';
import { daysLate, type CaseStatus, type PauseReason } from './ladder.ts';
import { stageName } from './policy.ts';
import type { AuditEntry, EscalationCase } from './repository.ts';

export const CASE_STATUSES: readonly CaseStatus[] = ['OPEN', 'PAUSED', 'CLOSED'];
export const PAUSE_REASONS: readonly PauseReason[] = ['FORCE_MAJEURE', 'DISPUTE', 'LEGAL_SUSPENSION'];

const STATUS: Record<CaseStatus, string> = {
  OPEN: 'Đang đôn đốc',
  PAUSED: 'Tạm dừng',
  CLOSED: 'Đã kết thúc',
};
const PAUSE_REASON: Record<PauseReason, string> = {
  FORCE_MAJEURE: 'Bất khả kháng (thiên tai, dịch bệnh…)',
  DISPUTE: 'Đơn vị khiếu nại, đang đối chiếu số nợ',
  LEGAL_SUSPENSION: 'Tạm dừng đóng theo quy định',
};
const DOCUMENT_STATUS = { PENDING: 'đang gửi', SENT: 'đã gửi email', POSTAL: 'gửi qua bưu điện' } as const;

const stageLabel = (stage: string) =>
  stage === 'NONE'
    ? stageName(stage)
    : `${stageName(stage)}: ${STAGE_ACTION[stage as keyof typeof STAGE_ACTION] ?? ''}`;

/** "2026-09" as 09/2026; a value that is not a month shown as stored rather than failing the page. */
function monthOrAsStored(period: string): string {
  try {
    return formatMonth(period);
  } catch {
    return period;
  }
}

const casePath = (employerId: string) => `/admin/cases/${encodeURIComponent(employerId)}`;

export function caseListPage(input: {
  status: CaseStatus;
  /** One page of them, in employer order. */
  cases: readonly EscalationCase[];
  today: string;
  /** Whether this is the first page; `next` is the cursor of the following one (null: the last). */
  first: boolean;
  next: string | null;
}): string {
  const { status, cases, today, first, next } = input;
  const tabs = CASE_STATUSES.map((s) =>
    s === status ? `<strong>${STATUS[s]}</strong>` : `<a href="/admin/cases?status=${s}">${STATUS[s]}</a>`,
  ).join(' · ');
  const rows = cases
    .map(
      (kase) => `<tr data-employer="${e(kase.employerId)}">
<td><a href="${casePath(kase.employerId)}">${e(kase.employerId)}</a></td>
<td>${e(kase.employerName ?? '')}</td>
<td title="${e(kase.stage)}">${e(stageName(kase.stage))}</td>
<td>${e(formatVnd(kase.overduePrincipal + kase.overdueInterest))}</td>
<td>${kase.status === 'CLOSED' ? '' : daysLate(kase.oldestOverdueDueDate, today, kase.pauses ?? [])}</td>
<td>${e(kase.officerId ?? '')}</td>
<td>${kase.pendingApproval ? e(stageName(kase.pendingApproval.stage)) : ''}</td>
</tr>`,
    )
    .join('\n');
  const pager = [
    first ? '' : `<a href="/admin/cases?status=${status}">← Trang đầu</a>`,
    next
      ? `<a id="next" href="/admin/cases?status=${status}&amp;cursor=${encodeURIComponent(next)}">Trang sau →</a>`
      : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return adminPage(
    'vi',
    'Hồ sơ đôn đốc nợ',
    null,
    `<p><a href="/admin/">← Lịch chạy các quy trình</a></p>
<h1>Hồ sơ đôn đốc nợ</h1>
<p>${tabs}</p>
${
  cases.length || !first
    ? `<table id="cases">
<tr><th>Mã đơn vị</th><th>Tên đơn vị</th><th>Bước</th><th>Số nợ quá hạn</th><th>Số ngày chậm đóng</th><th>Cán bộ</th><th>Chờ phê duyệt</th></tr>
${rows}
</table>`
    : '<p>Không có hồ sơ nào.</p>'
}
${pager ? `<p>${pager}</p>` : ''}`,
  );
}

export function casePage(input: {
  kase: EscalationCase;
  trail: readonly AuditEntry[];
  today: string;
  csrf: string;
  notice?: { kind: 'ok' | 'error'; text: string } | undefined;
}): string {
  const { kase, trail, today, csrf, notice } = input;
  const documents = Object.entries(kase.documents ?? {})
    .map(
      ([key, document]) =>
        `<tr><td>${e(key === 'CLOSED' ? 'Thư kết thúc đôn đốc' : stageName(key))}</td><td>${e(DOCUMENT_STATUS[document.status])}</td><td>${e(formatInstant(document.at))}</td>` +
        `<td>${e((document.informed ?? []).join(', '))}</td></tr>`,
    )
    .join('\n');
  const pauses = (kase.pauses ?? [])
    .map(
      (pause) =>
        `<tr><td>${e(formatDate(pause.from))}</td><td>${pause.to ? e(formatDate(pause.to)) : 'đang tạm dừng'}</td>` +
        `<td>${e(PAUSE_REASON[pause.reason])}</td><td>${e(pause.note ?? '')}</td><td>${e(pause.by ?? '')}</td></tr>`,
    )
    .join('\n');
  const pending = kase.pendingApproval;
  const hidden = `<input type="hidden" name="csrf" value="${e(csrf)}">`;
  const form =
    kase.status === 'OPEN'
      ? `<h2>Tạm dừng đôn đốc</h2>
<form method="post" action="${casePath(kase.employerId)}/pause">
${hidden}
<label for="f-reason">Lý do</label>
<select id="f-reason" name="reason" required>${PAUSE_REASONS.map((r) => `<option value="${r}">${e(PAUSE_REASON[r])}</option>`).join('')}</select>
<label for="f-note">Ghi chú (căn cứ, văn bản kèm theo)</label><input type="text" id="f-note" name="note">
<button type="submit">Tạm dừng</button>
</form>`
      : kase.status === 'PAUSED'
        ? `<h2>Tiếp tục đôn đốc</h2>
<form method="post" action="${casePath(kase.employerId)}/resume">
${hidden}
<label for="f-note">Ghi chú</label><input type="text" id="f-note" name="note">
<button type="submit">Tiếp tục</button>
</form>`
        : '';
  return adminPage(
    'vi',
    `Hồ sơ ${kase.caseId}`,
    null,
    `<p><a href="/admin/cases?status=${kase.status}">← Hồ sơ ${e(STATUS[kase.status].toLowerCase())}</a></p>
<h1>Hồ sơ ${e(kase.caseId)}</h1>
${notice ? `<p class="${notice.kind === 'ok' ? 'ok' : 'err'}" role="status">${e(notice.text)}</p>` : ''}
<table id="case">
<tr><th>Đơn vị</th><td>${e(kase.employerName ?? '')} (mã ${e(kase.employerId)})</td></tr>
<tr><th>Trạng thái</th><td id="status">${e(STATUS[kase.status])}${kase.closeReason ? ` (${e(kase.closeReason)})` : ''}</td></tr>
<tr><th>Bước hiện tại</th><td id="stage">${e(stageLabel(kase.stage))}</td></tr>
<tr><th>Số nợ quá hạn</th><td>${e(formatVnd(kase.overduePrincipal + kase.overdueInterest))} (trong đó lãi chậm đóng ${e(formatVnd(kase.overdueInterest))})</td></tr>
<tr><th>Hạn đóng sớm nhất chưa đóng</th><td>${kase.oldestOverdueDueDate ? e(formatDate(kase.oldestOverdueDueDate)) : ''}</td></tr>
<tr><th>Số ngày chậm đóng (hôm nay)</th><td>${kase.status === 'CLOSED' ? '' : daysLate(kase.oldestOverdueDueDate, today, kase.pauses ?? [])}</td></tr>
<tr><th>Cán bộ chuyên quản</th><td>${e(kase.officerId ?? 'chưa phân công')}</td></tr>
<tr><th>Chờ phê duyệt</th><td id="pending">${pending ? `${e(stageLabel(pending.stage))}; người phê duyệt ${e(pending.approverId ?? 'đang xác định')}, từ ${e(formatInstant(pending.requestedAt))}` : 'không'}</td></tr>
<tr><th>Phiên bản chính sách</th><td>${e(kase.policyVersion)}</td></tr>
<tr><th>Mở hồ sơ</th><td>${e(formatInstant(kase.openedAt))}, kỳ ${e(monthOrAsStored(kase.openedForPeriod))}</td></tr>
${kase.closedAt ? `<tr><th>Kết thúc</th><td>${e(formatInstant(kase.closedAt))}</td></tr>` : ''}
</table>
${documents ? `<h2>Văn bản đã gửi</h2>\n<table id="documents"><tr><th>Bước</th><th>Tình trạng</th><th>Lúc</th><th>Đồng gửi</th></tr>\n${documents}</table>` : ''}
${pauses ? `<h2>Các lần tạm dừng</h2>\n<table id="pauses"><tr><th>Từ</th><th>Đến</th><th>Lý do</th><th>Ghi chú</th><th>Người</th></tr>\n${pauses}</table>` : ''}
${form}
${trailTable(trail) || '<h2>Nhật ký hồ sơ</h2><p>Chưa có.</p>'}`,
  );
}

/** A case page that could not be shown or a change that was refused. */
export function caseMessagePage(status: number, text: string): string {
  return adminPage(
    'vi',
    String(status),
    null,
    `<p><a href="/admin/cases">← Hồ sơ đôn đốc nợ</a></p><h1>${status}</h1><p>${e(text)}</p>`,
  );
}
