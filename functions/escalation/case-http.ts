/**
 * The debt cases on the admin surface (served by functions/schedules/http.ts after it has authenticated the
 * caller; `by` is who they are):
 *
 *   JSON API:  GET  /admin/api/cases?status=OPEN|PAUSED|CLOSED[&officer=ID][&limit=N][&cursor=C]
 *                   a page of the cases of a status, in employer order, and `next` (the cursor of the
 *                   following page, null at the end); with `officer`, a page holds that officer's only
 *              GET  /admin/api/cases/{employerId}                             the case and its trail
 *              POST /admin/api/cases/{employerId}/pause   {reason, note?}     (audited, channel WEB)
 *              POST /admin/api/cases/{employerId}/resume  {note?}
 *   Pages:     /admin/cases[?status=…], /admin/cases/{employerId}; the pause and resume forms post to
 *              …/pause and …/resume with the page's CSRF token.
 *
 * Refusals change nothing: 400 an invalid status, limit, cursor, reason or note; 404 no such case; 409 a case
 * not in the state the change needs (pausing a paused case, resuming an open one).
 *
 * A case as the API shows it leaves out the id of the approval it waits for: that id is the approval link
 * itself (its page carries the decision form), and only the approver may hold it.
 */
import type { HttpResult } from '../approvals/http.ts';
import { todayInVietnam } from '../shared/calendar.ts';
import { html, json, redirect } from '../shared/http-results.ts';
import { CASE_STATUSES, PAUSE_REASONS, caseListPage, caseMessagePage, casePage } from './case-pages.ts';
import type { CaseStatus, PauseReason } from './ladder.ts';
import {
  CaseNotFoundError,
  CaseStateError,
  type EscalationCase,
  type EscalationRepository,
} from './repository.ts';

export type CaseDesk = Pick<EscalationRepository, 'pageCases' | 'currentCase' | 'trail' | 'pause' | 'resume'>;

export interface CaseHttpDeps {
  cases: CaseDesk;
  now(): string;
}

/** What the admin surface hands over: the request, already authenticated. */
export interface CaseRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  by: string;
  /** The body: JSON for the API, a form for the pages. */
  body: string;
  /** The page forms' CSRF token, and whether a posted one matches it. */
  csrf: string;
  validCsrf(token: string): boolean;
}

const EMPLOYER_ID = /^[A-Za-z0-9]{1,64}$/;
/** As the CLI allows. */
const NOTE_MAX = 1000;
/** Cases per page on the pages; the API's default and most. */
const PAGE_ROWS = 200;
const API_LIMIT = { default: 100, max: 500 };
/** What a change's redirect may announce (a code, so no link can make the page say anything else). */
const DONE = { paused: 'Đã tạm dừng hồ sơ.', resumed: 'Đã tiếp tục đôn đốc hồ sơ.' } as const;

class InvalidCaseRequest extends Error {
  override name = 'InvalidCaseRequest';
}

function refusal(error: unknown): { status: number; message: string } {
  if (error instanceof InvalidCaseRequest) return { status: 400, message: error.message };
  if (error instanceof CaseNotFoundError) return { status: 404, message: error.message };
  if (error instanceof CaseStateError) return { status: 409, message: error.message };
  throw error;
}

function statusOf(value: string | null): CaseStatus {
  const status = value ?? 'OPEN';
  if (!CASE_STATUSES.includes(status as CaseStatus))
    throw new InvalidCaseRequest(`status must be one of ${CASE_STATUSES.join(', ')}`);
  return status as CaseStatus;
}

function cursorOf(value: string | null): string | null {
  if (value === null || value === '') return null;
  if (!EMPLOYER_ID.test(value))
    throw new InvalidCaseRequest('cursor must be an employer id (the `next` of a page)');
  return value;
}

function limitOf(value: string | null): number {
  if (value === null) return API_LIMIT.default;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > API_LIMIT.max)
    throw new InvalidCaseRequest(`limit must be a whole number from 1 to ${API_LIMIT.max}`);
  return limit;
}

/** The case without the id of its waiting approval (the link is the approver's alone). */
function shown(kase: EscalationCase): EscalationCase {
  if (!kase.pendingApproval) return kase;
  const { approvalId: _link, ...pending } = kase.pendingApproval;
  return { ...kase, pendingApproval: pending };
}

function noteOf(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || value.length > NOTE_MAX)
    throw new InvalidCaseRequest(`note must be text of at most ${NOTE_MAX} characters`);
  return value.trim() || undefined;
}

function reasonOf(value: unknown): PauseReason {
  if (!PAUSE_REASONS.includes(value as PauseReason))
    throw new InvalidCaseRequest(`reason must be one of ${PAUSE_REASONS.join(', ')}`);
  return value as PauseReason;
}

async function change(
  deps: CaseHttpDeps,
  employerId: string,
  action: 'pause' | 'resume',
  fields: { reason?: unknown; note?: unknown },
  by: string,
) {
  const note = noteOf(fields.note);
  const at = deps.now();
  return action === 'pause'
    ? deps.cases.pause(employerId, { reason: reasonOf(fields.reason), note, by, at, channel: 'WEB' })
    : deps.cases.resume(employerId, { note, by, at, channel: 'WEB' });
}

async function caseWithTrail(deps: CaseHttpDeps, employerId: string) {
  const kase = await deps.cases.currentCase(employerId);
  if (!kase) throw new CaseNotFoundError(`no debt case for employer ${employerId}`);
  return { kase, trail: await deps.cases.trail(kase.caseId) };
}

/** The API's answer, or undefined when the path is not a case path. */
export async function caseApi(deps: CaseHttpDeps, request: CaseRequest): Promise<HttpResult | undefined> {
  const match = /^\/admin\/api\/cases(?:\/([^/]+))?(?:\/(pause|resume))?$/.exec(request.path);
  if (!match) return undefined;
  const [, employerId, action] = match;
  try {
    if (!employerId) {
      if (request.method !== 'GET') return json(405, { error: 'GET only' });
      const status = statusOf(request.query.get('status'));
      const officer = request.query.get('officer');
      const page = await deps.cases.pageCases(
        status,
        cursorOf(request.query.get('cursor')),
        limitOf(request.query.get('limit')),
      );
      const cases = officer ? page.cases.filter((kase) => kase.officerId === officer) : page.cases;
      return json(200, { cases: cases.map(shown), next: page.next });
    }
    if (!EMPLOYER_ID.test(employerId)) return json(404, { error: `no debt case for employer ${employerId}` });
    if (!action && request.method === 'GET') {
      const { kase, trail } = await caseWithTrail(deps, employerId);
      return json(200, { case: shown(kase), trail });
    }
    if (!action || request.method !== 'POST')
      return json(405, { error: `${request.method} is not allowed on ${request.path}` });
    let body: unknown;
    try {
      body = request.body ? JSON.parse(request.body) : {};
    } catch (error) {
      return json(400, { error: `the body is not JSON: ${(error as Error).message}` });
    }
    if (!body || typeof body !== 'object' || Array.isArray(body))
      return json(400, { error: 'the body must be a JSON object' });
    const changed = await change(deps, employerId, action as 'pause' | 'resume', body, request.by);
    return json(200, { case: shown(changed) });
  } catch (error) {
    const { status, message } = refusal(error);
    return json(status, { error: message });
  }
}

/** The pages' answer, or undefined when the path is not a case page. */
export async function casePages(deps: CaseHttpDeps, request: CaseRequest): Promise<HttpResult | undefined> {
  const match = /^\/admin\/cases(?:\/([^/]+))?(?:\/(pause|resume))?$/.exec(request.path);
  if (!match) return undefined;
  const [, employerId, action] = match;
  const today = todayInVietnam(new Date(deps.now()));
  try {
    if (!employerId) {
      if (request.method !== 'GET') return html(405, caseMessagePage(405, `${request.method}?`));
      const status = statusOf(request.query.get('status'));
      const cursor = cursorOf(request.query.get('cursor'));
      const page = await deps.cases.pageCases(status, cursor, PAGE_ROWS);
      return html(
        200,
        caseListPage({ status, cases: page.cases, today, first: cursor === null, next: page.next }),
      );
    }
    if (!EMPLOYER_ID.test(employerId))
      return html(404, caseMessagePage(404, `Không có hồ sơ của đơn vị ${employerId}.`));
    const render = async (status: number, notice?: { kind: 'ok' | 'error'; text: string }) => {
      const { kase, trail } = await caseWithTrail(deps, employerId);
      return html(status, casePage({ kase, trail, today, csrf: request.csrf, notice }));
    };
    if (!action && request.method === 'GET') {
      const done = DONE[request.query.get('done') as keyof typeof DONE];
      return await render(200, done ? { kind: 'ok', text: done } : undefined);
    }
    if (!action || request.method !== 'POST') return html(405, caseMessagePage(405, `${request.method}?`));
    const form = new URLSearchParams(request.body);
    if (!request.validCsrf(form.get('csrf') ?? ''))
      return html(403, caseMessagePage(403, 'Biểu mẫu đã cũ hoặc không hợp lệ: tải lại trang.'));
    try {
      await change(
        deps,
        employerId,
        action as 'pause' | 'resume',
        { reason: form.get('reason'), note: form.get('note') },
        request.by,
      );
    } catch (error) {
      const { status, message } = refusal(error);
      if (status === 404) throw error;
      // The page comes back with the reason; nothing was changed.
      return await render(status, { kind: 'error', text: `Chưa thực hiện được: ${message}` });
    }
    const done: keyof typeof DONE = action === 'pause' ? 'paused' : 'resumed';
    return redirect(`/admin/cases/${encodeURIComponent(employerId)}?done=${done}`);
  } catch (error) {
    const { status, message } = refusal(error);
    return html(status, caseMessagePage(status, message));
  }
}
