/**
 * The administrators' schedule pages, server-rendered HTML in Vietnamese (English with ?lang=en). Pure:
 * views in, HTML out, every value escaped. No script: forms post back and the server answers with the page.
 */
import { escapeHtml } from '../shared/html.ts';
import { localTime } from './engine.ts';
import type { ScheduleChangeEntry } from './repository.ts';
import type { ExecutionView, ScheduleView } from './service.ts';

export type Lang = 'vi' | 'en';

const TEXT = {
  vi: {
    title: 'Lịch chạy các quy trình',
    process: 'Quy trình',
    schedule: 'Lịch (cron)',
    meaning: 'Nghĩa là',
    zone: 'Múi giờ',
    state: 'Trạng thái',
    running: 'Đang chạy',
    paused: 'Tạm dừng',
    next: 'Ba lần chạy tới (giờ địa phương)',
    none: '(tạm dừng: không chạy)',
    version: 'Phiên bản',
    changed: 'Sửa lần cuối',
    edit: 'Sửa',
    window: 'Cửa sổ linh hoạt (phút)',
    input: 'Dữ liệu truyền vào (JSON)',
    reason: 'Lý do thay đổi',
    save: 'Lưu thay đổi',
    pause: 'Tạm dừng',
    resume: 'Chạy lại theo lịch',
    runNow: 'Chạy ngay',
    runs: 'Các lần chạy gần đây',
    noRuns: 'Chưa có lần chạy nào.',
    started: 'Bắt đầu',
    stopped: 'Kết thúc',
    status: 'Trạng thái',
    figures: 'Kết quả',
    summary: 'Tóm tắt',
    history: 'Lịch sử thay đổi',
    back: '← Tất cả lịch',
    other: 'English',
    saved: 'Đã lưu.',
    startedNow: 'Đã bắt đầu lần chạy',
    errors: 'Chưa lưu được',
    run: 'Lần chạy',
    output: 'Kết quả trả về',
    cases: 'Hồ sơ đôn đốc nợ',
  },
  en: {
    title: 'Process schedules',
    process: 'Process',
    schedule: 'Schedule (cron)',
    meaning: 'Meaning',
    zone: 'Time zone',
    state: 'State',
    running: 'Running',
    paused: 'Paused',
    next: 'Next three runs (local time)',
    none: '(paused: no runs)',
    version: 'Version',
    changed: 'Last changed',
    edit: 'Edit',
    window: 'Flexible window (minutes)',
    input: 'Input (JSON)',
    reason: 'Reason for the change',
    save: 'Save changes',
    pause: 'Pause',
    resume: 'Resume',
    runNow: 'Run now',
    runs: 'Recent runs',
    noRuns: 'No runs yet.',
    started: 'Started',
    stopped: 'Ended',
    status: 'Status',
    figures: 'Figures',
    summary: 'Summary',
    history: 'Change history',
    back: '← All schedules',
    other: 'Tiếng Việt',
    cases: 'Debt cases (in Vietnamese)',
    saved: 'Saved.',
    startedNow: 'Started run',
    errors: 'Not saved',
    run: 'Run',
    output: 'Output',
  },
} as const;

const STATUS: Record<string, { vi: string; en: string }> = {
  RUNNING: { vi: 'đang chạy', en: 'running' },
  SUCCEEDED: { vi: 'thành công', en: 'succeeded' },
  FAILED: { vi: 'thất bại', en: 'failed' },
  TIMED_OUT: { vi: 'quá thời gian', en: 'timed out' },
  ABORTED: { vi: 'bị dừng', en: 'aborted' },
};

const e = escapeHtml;

/** The admin surface's layout; `path` is where the language link points (none for Vietnamese-only pages). */
export function adminPage(lang: Lang, title: string, path: string | null, body: string): string {
  const other: Lang = lang === 'vi' ? 'en' : 'vi';
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${e(title)}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:64rem;margin:2rem auto;padding:0 1rem;color:#1a1a1a;line-height:1.45}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem}table{border-collapse:collapse;width:100%}
th,td{border:1px solid #ddd;padding:.3rem .5rem;text-align:left;vertical-align:top;font-size:.92rem}
label{display:block;margin-top:.7rem;font-weight:600}input[type=text],textarea{width:100%;font:inherit;padding:.3rem}
textarea{min-height:3.5rem}button{font-size:.95rem;padding:.4rem 1rem;margin:.8rem .5rem 0 0}
.paused{color:#8a1c1c}.ok{background:#e8f5ec;padding:.5rem}.err{background:#fdecec;padding:.5rem;color:#8a1c1c}
.lang{float:right}.muted{color:#555;font-size:.88rem}code{font-size:.92rem}pre{background:#f6f6f6;padding:.6rem;overflow:auto}
</style>
</head>
<body>
${path === null ? '' : `<a class="lang" href="${e(path)}?lang=${other}">${TEXT[lang].other}</a>`}
${body}
</body>
</html>
`;
}

const q = (lang: Lang) => (lang === 'en' ? '?lang=en' : '');

function nextRunsList(view: ScheduleView, lang: Lang): string {
  if (!view.enabled) return `<span class="paused">${TEXT[lang].none}</span>`;
  return `<ul class="next">${view.nextRuns.map((run) => `<li>${e(localTime(run, view.timeZone))}</li>`).join('')}</ul>`;
}

export function listPage(views: ScheduleView[], lang: Lang): string {
  const t = TEXT[lang];
  const rows = views
    .map(
      (view) => `<tr data-process="${e(view.processId)}">
<td><a href="/admin/schedules/${e(view.processId)}${q(lang)}">${e(view.title[lang])}</a><br><code>${e(view.processId)}</code></td>
<td><code>${e(view.cron)}</code><br>${e(view.description[lang])}</td>
<td>${e(view.timeZone)}</td>
<td>${view.enabled ? t.running : `<span class="paused">${t.paused}</span>`}</td>
<td>${nextRunsList(view, lang)}</td>
<td>v${view.version}<br><span class="muted">${e(view.updatedBy)}</span></td>
</tr>`,
    )
    .join('\n');
  return adminPage(
    lang,
    t.title,
    '/admin/',
    `<h1>${t.title}</h1>
<p><a href="/admin/cases">${t.cases} →</a></p>
<table>
<tr><th>${t.process}</th><th>${t.schedule}</th><th>${t.zone}</th><th>${t.state}</th><th>${t.next}</th><th>${t.version}</th></tr>
${rows}
</table>`,
  );
}

export interface SchedulePageInput {
  view: ScheduleView & { history: ScheduleChangeEntry[] };
  runs: ExecutionView[];
  lang: Lang;
  csrf: string;
  /** What the last action did, or why it was refused (with the values the form had). */
  notice?: { kind: 'ok' | 'error'; text: string } | undefined;
  form?: { cron: string; timeZone: string; flexibleWindowMinutes: string; input: string } | undefined;
}

function runRow(processId: string, run: ExecutionView, lang: Lang): string {
  const figures = run.outcome
    ? Object.entries(run.outcome)
        .map(([key, value]) => `${e(key)} ${value}`)
        .join(', ')
    : e(run.error ?? '');
  return `<tr><td><a href="/admin/schedules/${e(processId)}/runs/${e(run.name)}${q(lang)}">${e(run.name)}</a></td>
<td>${e(STATUS[run.status]?.[lang] ?? run.status)}</td><td>${e(localTime(run.startDate, 'Asia/Ho_Chi_Minh'))}</td>
<td>${run.stopDate ? e(localTime(run.stopDate, 'Asia/Ho_Chi_Minh')) : ''}</td><td>${figures}</td></tr>`;
}

export function schedulePage(input: SchedulePageInput): string {
  const { view, runs, lang, csrf, notice } = input;
  const t = TEXT[lang];
  const form = input.form ?? {
    cron: view.cron,
    timeZone: view.timeZone,
    flexibleWindowMinutes: String(view.flexibleWindowMinutes),
    input: JSON.stringify(view.input),
  };
  const action = (verb: string) => `/admin/schedules/${e(view.processId)}${verb}${q(lang)}`;
  const hidden = `<input type="hidden" name="csrf" value="${e(csrf)}"><input type="hidden" name="version" value="${view.version}">`;
  const history = view.history
    .map(
      (change) =>
        `<tr><td>v${change.version}</td><td>${e(localTime(change.at, view.timeZone))}</td><td>${e(change.by)}</td><td>${e(change.reason)}</td>` +
        `<td><code>${e(change.before.cron)}</code> → <code>${e(change.after.cron)}</code>${change.before.enabled !== change.after.enabled ? ` (${change.after.enabled ? t.resume : t.pause})` : ''}</td></tr>`,
    )
    .join('\n');
  return adminPage(
    lang,
    `${view.title[lang]}: ${t.title}`,
    `/admin/schedules/${view.processId}`,
    `<p><a href="/admin/${q(lang)}">${t.back}</a></p>
<h1>${e(view.title[lang])}</h1>
${notice ? `<p class="${notice.kind === 'ok' ? 'ok' : 'err'}" role="status">${notice.kind === 'error' ? `<strong>${t.errors}:</strong> ` : ''}${e(notice.text)}</p>` : ''}
<table>
<tr><th>${t.schedule}</th><td><code id="cron">${e(view.cron)}</code></td></tr>
<tr><th>${t.meaning}</th><td id="meaning">${e(view.description[lang])}</td></tr>
<tr><th>${t.zone}</th><td>${e(view.timeZone)}</td></tr>
<tr><th>${t.state}</th><td id="state">${view.enabled ? t.running : `<span class="paused">${t.paused}</span>`}</td></tr>
<tr><th>${t.next}</th><td id="next-runs">${nextRunsList(view, lang)}</td></tr>
<tr><th>${t.version}</th><td>v${view.version} · ${t.changed}: ${e(view.updatedBy)}, ${e(localTime(view.updatedAt, view.timeZone))} (${e(view.reason)})</td></tr>
</table>

<h2>${t.edit}</h2>
<form method="post" action="${action('')}">
${hidden}
<label for="f-cron">${t.schedule}</label><input type="text" id="f-cron" name="cron" value="${e(form.cron)}" spellcheck="false">
<label for="f-tz">${t.zone}</label><input type="text" id="f-tz" name="timeZone" value="${e(form.timeZone)}">
<label for="f-window">${t.window}</label><input type="text" id="f-window" name="flexibleWindowMinutes" value="${e(form.flexibleWindowMinutes)}">
<label for="f-input">${t.input}</label><textarea id="f-input" name="input" spellcheck="false">${e(form.input)}</textarea>
<label for="f-reason">${t.reason}</label><input type="text" id="f-reason" name="reason" required>
<button type="submit">${t.save}</button>
</form>

<form method="post" action="${action(view.enabled ? '/pause' : '/resume')}">
${hidden}
<label for="f-toggle-reason">${t.reason}</label><input type="text" id="f-toggle-reason" name="reason" required>
<button type="submit">${view.enabled ? t.pause : t.resume}</button>
</form>
<form method="post" action="${action('/run-now')}">
<input type="hidden" name="csrf" value="${e(csrf)}">
<button type="submit">${t.runNow}</button>
</form>

<h2>${t.runs}</h2>
${runs.length ? `<table id="runs"><tr><th>${t.run}</th><th>${t.status}</th><th>${t.started}</th><th>${t.stopped}</th><th>${t.figures}</th></tr>\n${runs.map((run) => runRow(view.processId, run, lang)).join('\n')}</table>` : `<p>${t.noRuns}</p>`}

<h2>${t.history}</h2>
${history ? `<table>${history}</table>` : '<p class="muted">—</p>'}`,
  );
}

export function runPage(processId: string, run: ExecutionView & { output?: string }, lang: Lang): string {
  const t = TEXT[lang];
  let output = run.output ?? '';
  try {
    output = JSON.stringify(JSON.parse(output), null, 2);
  } catch {
    // shown as it is
  }
  return adminPage(
    lang,
    `${t.run} ${run.name}`,
    `/admin/schedules/${processId}/runs/${run.name}`,
    `<p><a href="/admin/schedules/${e(processId)}${q(lang)}">← ${e(processId)}</a></p>
<h1>${t.run} ${e(run.name)}</h1>
<table>
<tr><th>${t.status}</th><td>${e(STATUS[run.status]?.[lang] ?? run.status)}</td></tr>
<tr><th>${t.started}</th><td>${e(localTime(run.startDate, 'Asia/Ho_Chi_Minh'))}</td></tr>
<tr><th>${t.stopped}</th><td>${run.stopDate ? e(localTime(run.stopDate, 'Asia/Ho_Chi_Minh')) : ''}</td></tr>
${run.error ? `<tr><th>Error</th><td>${e(run.error)}</td></tr>` : ''}
</table>
<h2>${t.output}</h2>
<pre>${e(output)}</pre>`,
  );
}

export function messagePage(lang: Lang, status: number, text: string): string {
  return adminPage(lang, String(status), '/admin/', `<h1>${status}</h1><p>${e(text)}</p>`);
}
