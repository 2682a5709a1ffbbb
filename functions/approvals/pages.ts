/**
 * The pages an approver sees, in Vietnamese. Pure: record in, HTML out. Employer data is escaped; no page
 * ever contains the task token. The confirmation page is what a GET shows (and all a mail scanner that
 * prefetches the link gets): it decides nothing; its form POSTs the decision with the approval's CSRF token.
 */
import { formatVnd } from '../c12/notice/format.ts';
import { stageName } from '../escalation/policy.ts';
import { escapeHtml } from '../shared/html.ts';
import type { ApprovalRecord } from './model.ts';

const ROLE: Record<string, string> = {
  OFFICER: 'cán bộ chuyên quản thu',
  SUPERVISOR: 'lãnh đạo phòng (giám sát)',
  DIRECTOR: 'Giám đốc',
};

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:44rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.5}
h1{font-size:1.35rem}h2{font-size:1.1rem;margin-top:2rem}table{border-collapse:collapse}th,td{border:1px solid #ddd;padding:.2rem .4rem;text-align:left;font-size:.9rem}dl{display:grid;grid-template-columns:max-content 1fr;gap:.3rem 1rem}dt{color:#555}
textarea{width:100%;min-height:5rem}button{font-size:1rem;padding:.5rem 1.2rem;margin-right:.6rem}
.approve{background:#0b6b2f;color:#fff;border:0}.reject{background:#fff;border:1px solid #8a1c1c;color:#8a1c1c}
.note{color:#555;font-size:.9rem}
</style>
</head>
<body>
${body}
</body>
</html>
`;
}

function facts(record: ApprovalRecord): string {
  const s = record.subject;
  if (s.kind === 'DECISION') {
    return `<dl>
${s.facts.map(([label, value]) => `<dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd>`).join('\n')}
</dl>`;
  }
  return `<dl>
<dt>Đơn vị</dt><dd>${escapeHtml(s.employerName)} (mã ${escapeHtml(s.employerId)})</dd>
<dt>Số nợ quá hạn</dt><dd>${escapeHtml(formatVnd(s.overdueVnd))}</dd>
<dt>Số ngày chậm đóng</dt><dd>${s.daysLate}</dd>
<dt>Hồ sơ</dt><dd>${escapeHtml(s.caseId)}</dd>
</dl>`;
}

/** One line of the case's trail, as the page lists it. */
export interface TrailLine {
  at: string;
  what: string;
  who: string;
  why?: string | undefined;
  channel: string;
  /** The stage it concerns, when the entry names one. */
  details?: { stage?: unknown } | undefined;
}

const ACTIONS: Record<string, string> = {
  STAGE_REACHED: 'Chuyển bước',
  APPROVAL_REQUESTED: 'Đề nghị phê duyệt',
  APPROVAL_ASKED: 'Gửi đề nghị phê duyệt',
  APPROVAL_REMINDED: 'Nhắc phê duyệt',
  APPROVAL_REASSIGNED: 'Chuyển người phê duyệt',
  APPROVED: 'Phê duyệt',
  REJECTED: 'Từ chối',
  APPROVAL_REJECTED: 'Đề nghị bị từ chối',
  APPROVAL_LAPSED: 'Hết hạn phê duyệt',
  PAUSED: 'Tạm dừng',
  RESUMED: 'Tiếp tục',
  CLOSED: 'Kết thúc hồ sơ',
  SKIPPED: 'Bỏ qua lần xét',
  EVALUATION_FAILED: 'Lỗi khi xét hồ sơ',
  APPROVAL_NOT_STARTED: 'Chưa gửi được đề nghị phê duyệt',
  APPROVAL_FAILED: 'Quy trình phê duyệt gặp lỗi',
};

export function trailTable(trail: readonly TrailLine[]): string {
  if (trail.length === 0) return '';
  const rows = trail
    .map(
      (line) =>
        `<tr><td>${escapeHtml(formatInstant(line.at))}</td><td>${escapeHtml(ACTIONS[line.what] ?? line.what)}${typeof line.details?.stage === 'string' ? ` ${escapeHtml(stageName(line.details.stage))}` : ''}</td>` +
        `<td>${escapeHtml(line.who)}</td><td>${escapeHtml(line.why ?? '')}</td><td>${escapeHtml(line.channel)}</td></tr>`,
    )
    .join('');
  return `<h2>Nhật ký hồ sơ</h2>
<table><thead><tr><th>Lúc</th><th>Việc</th><th>Người</th><th>Lý do</th><th>Kênh</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function reasonLabel(record: ApprovalRecord): string {
  const options = record.subject.kind === 'DECISION' ? record.subject.options : undefined;
  if (!options?.length) return 'Lý do (bắt buộc khi từ chối)';
  const required = options.filter((o) => o.reasonRequired).map((o) => o.label);
  return required.length ? `Lý do hoặc điều kiện (bắt buộc khi chọn: ${required.join(', ')})` : 'Lý do';
}

function buttons(record: ApprovalRecord): string {
  const options = record.subject.kind === 'DECISION' ? record.subject.options : undefined;
  if (options?.length) {
    return options
      .map(
        (option, i) =>
          `<button class="${i === 0 ? 'approve' : 'reject'}" type="submit" name="decision" value="option:${escapeHtml(option.value)}">${escapeHtml(option.label)}</button>`,
      )
      .join('\n');
  }
  return `<button class="approve" type="submit" name="decision" value="approve">Phê duyệt</button>
<button class="reject" type="submit" name="decision" value="reject">Từ chối</button>`;
}

export function confirmationPage(
  record: ApprovalRecord,
  actionPath: string,
  trail: readonly TrailLine[] = [],
): string {
  const s = record.subject;
  const details = s.details.length
    ? `<ul>${s.details.map((line) => `<li>${escapeHtml(line)}</li>`).join('')}</ul>`
    : '';
  return page(
    `Phê duyệt: ${s.action}`,
    `<h1>Đề nghị phê duyệt: ${escapeHtml(s.action)}</h1>
<p>Kính gửi ${escapeHtml(record.approver.name)} (${escapeHtml(ROLE[record.approver.role] ?? record.approver.role)}),</p>
${facts(record)}
<p><strong>Nếu phê duyệt:</strong> ${escapeHtml(s.action)}.</p>
${details}
<form method="post" action="${escapeHtml(actionPath)}">
<input type="hidden" name="csrf" value="${escapeHtml(record.csrfToken)}">
<p><label for="reason">${escapeHtml(reasonLabel(record))}</label><br>
<textarea id="reason" name="reason" maxlength="1000"></textarea></p>
<p>${buttons(record)}</p>
</form>
<p class="note">Liên kết này chỉ dùng được một lần và hết hạn lúc ${escapeHtml(formatInstant(record.expiresAt))}. Mở trang không thay đổi gì; chỉ khi bấm nút thì quyết định mới được ghi nhận.</p>
${trailTable(trail)}`,
  );
}

export type Outcome =
  | 'APPROVED'
  | 'REJECTED'
  | 'ALREADY_DECIDED'
  | 'EXPIRED'
  | 'REASSIGNED'
  | 'WITHDRAWN'
  | 'RECORDED'
  | 'NOT_FOUND'
  | 'BAD_FORM'
  | 'REASON_REQUIRED'
  | 'WORKFLOW_GONE'
  | 'UNAVAILABLE';

const OUTCOMES: Record<Outcome, { status: number; title: string; text: string }> = {
  APPROVED: {
    status: 200,
    title: 'Đã phê duyệt',
    text: 'Quyết định phê duyệt đã được ghi nhận. Quy trình tiếp tục.',
  },
  REJECTED: {
    status: 200,
    title: 'Đã từ chối',
    text: 'Quyết định từ chối và lý do đã được ghi nhận. Hồ sơ giữ nguyên bước hiện tại đến lần xét tiếp theo.',
  },
  ALREADY_DECIDED: {
    status: 409,
    title: 'Đề nghị đã được quyết định',
    text: 'Đề nghị này đã được quyết định trước đó; không có gì thay đổi.',
  },
  EXPIRED: {
    status: 410,
    title: 'Liên kết đã hết hạn',
    text: 'Thời hạn phê duyệt đã qua; không có gì thay đổi. Đề nghị đã hoặc sẽ được chuyển cho cấp trên.',
  },
  REASSIGNED: {
    status: 410,
    title: 'Liên kết không còn hiệu lực',
    text: 'Đề nghị này đã được chuyển cho người khác phê duyệt; không có gì thay đổi.',
  },
  RECORDED: {
    status: 202,
    title: 'Quyết định đã được ghi nhận',
    text: 'Quyết định đã được ghi nhận nhưng hệ thống chưa chuyển được cho quy trình. Nếu quy trình còn bước nhắc, quyết định được chuyển ở bước đó; nếu hồ sơ không tiếp tục, xin báo quản trị viên.',
  },
  WITHDRAWN: {
    status: 410,
    title: 'Đề nghị đã được rút',
    text: 'Hồ sơ không còn chờ quyết định này (đơn vị đã nộp tiền, hồ sơ tạm dừng hoặc không còn đủ điều kiện cho bước này); không có gì thay đổi.',
  },
  NOT_FOUND: {
    status: 404,
    title: 'Không tìm thấy đề nghị',
    text: 'Liên kết không đúng hoặc không còn tồn tại.',
  },
  BAD_FORM: {
    status: 400,
    title: 'Yêu cầu không hợp lệ',
    text: 'Biểu mẫu không hợp lệ (mã xác thực sai hoặc thiếu); không có gì thay đổi. Hãy mở lại liên kết trong thư.',
  },
  REASON_REQUIRED: {
    status: 400,
    title: 'Cần ghi lý do',
    text: 'Khi từ chối, xin ghi lý do; không có gì thay đổi. Hãy quay lại và nhập lý do.',
  },
  UNAVAILABLE: {
    status: 503,
    title: 'Lỗi tạm thời',
    text: 'Hệ thống tạm thời không xử lý được yêu cầu; xin mở lại liên kết sau ít phút.',
  },
  WORKFLOW_GONE: {
    status: 409,
    title: 'Quyết định đã ghi nhận, quy trình đã kết thúc',
    text: 'Quyết định đã được ghi nhận, nhưng bước chờ duyệt đã hết hạn trước đó. Nếu quy trình còn chạy (bước nhắc), quyết định được chuyển ngay cho bước đó; nếu quy trình đã kết thúc, lần xét tiếp theo sẽ đề nghị phê duyệt lại.',
  },
};

export function outcomePage(
  outcome: Outcome,
  record?: ApprovalRecord,
  detail?: string,
): { status: number; html: string } {
  const { status, title, text } = OUTCOMES[outcome];
  const about = record ? facts(record) : '';
  const extra = detail ? `<p>${escapeHtml(detail)}</p>` : '';
  return {
    status,
    html: page(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(text)}</p>\n${extra}${about}`),
  };
}

/** 2026-11-05T16:59:59.999Z -> "23:59 ngày 05/11/2026" (Asia/Ho_Chi_Minh, UTC+7 all year). */
export function formatInstant(iso: string): string {
  const local = new Date(Date.parse(iso) + 7 * 3_600_000).toISOString();
  return `${local.slice(11, 16)} ngày ${local.slice(8, 10)}/${local.slice(5, 7)}/${local.slice(0, 4)}`;
}
