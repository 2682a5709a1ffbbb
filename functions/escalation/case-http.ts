/**
 * The debt cases on the admin surface (served by functions/schedules/http.ts after it has authenticated the
 * caller; `by` is who they are):
 *
 *   JSON API:  GET  /admin/api/cases?status=OPEN|PAUSED|CLOSED[&officer=ID]   the cases of a status
 *              GET  /admin/api/cases/{employerId}                             the case and its trail
 *              POST /admin/api/cases/{employerId}/pause   {reason, note?}     (audited, channel WEB)
 *              POST /admin/api/cases/{employerId}/resume  {note?}
 *   Pages:     /admin/cases[?status=…], /admin/cases/{employerId}; the pause and resume forms post to
 *              …/pause and …/resume with the page's CSRF token.
 *
 * Refusals change nothing: 400 an invalid status, reason or note; 404 no such case; 409 a case not in the
 * state the change needs (pausing a paused case, resuming an open one).
 */
import type { HttpResult } from '../approvals/http.ts';
import { todayInVietnam } from '../shared/calendar.ts';
import { html, json, redirect } from '../shared/http-results.ts';
import { CASE_STATUSES, PAUSE_REASONS, caseListPage, caseMessagePage, casePage } from './case-pages.ts';
import type { CaseStatus, PauseReason } from './ladder.ts';
import { CaseNotFoundError, CaseStateError, type EscalationRepository } from './repository.ts';

export type CaseDesk = Pick<
  EscalationRepository,
  'casesWithStatus' | 'currentCase' | 'trail' | 'pause' | 'resume'
>;

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

const EMPLOYER_ID = /^[A-Za-z0-9]{1,20}$/;
const NOTE_MAX = 500;
const LIST_LIMIT = 500;

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
      const officer = request.query.get('officer') ?? undefined;
      return json(200, { cases: await deps.cases.casesWithStatus(status, officer) });
    }
    if (!EMPLOYER_ID.test(employerId)) return json(404, { error: `no debt case for employer ${employerId}` });
    if (!action && request.method === 'GET') {
      const { kase, trail } = await caseWithTrail(deps, employerId);
      return json(200, { case: kase, trail });
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
    return json(200, {
      case: await change(deps, employerId, action as 'pause' | 'resume', body, request.by),
    });
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
      const cases = await deps.cases.casesWithStatus(status);
      return html(200, caseListPage({ status, cases, today, limit: LIST_LIMIT }));
    }
    if (!EMPLOYER_ID.test(employerId))
      return html(404, caseMessagePage(404, `Không có hồ sơ của đơn vị ${employerId}.`));
    const render = async (status: number, notice?: { kind: 'ok' | 'error'; text: string }) => {
      const { kase, trail } = await caseWithTrail(deps, employerId);
      return html(status, casePage({ kase, trail, today, csrf: request.csrf, notice }));
    };
    if (!action && request.method === 'GET') {
      const done = request.query.get('done');
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
    const done = action === 'pause' ? 'Đã tạm dừng hồ sơ.' : 'Đã tiếp tục đôn đốc hồ sơ.';
    return redirect(`/admin/cases/${encodeURIComponent(employerId)}?done=${encodeURIComponent(done)}`);
  } catch (error) {
    const { status, message } = refusal(error);
    return html(status, caseMessagePage(status, message));
  }
}
