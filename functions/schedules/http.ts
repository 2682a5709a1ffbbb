/**
 * The administrators' HTTP surface over the schedule service, for a Lambda function URL (payload 2.0) and
 * the embedded stack's front door alike:
 *
 *   JSON API (every change audited, `by` is the authenticated administrator):
 *     GET  /admin/api/schedules                       list, with next runs
 *     GET  /admin/api/schedules/{process}             one, with its change history
 *     PUT  /admin/api/schedules/{process}             change {cron?, timeZone?, flexibleWindowMinutes?, input?,
 *                                                     enabled?, version, reason}
 *     POST /admin/api/schedules/{process}/pause       {version, reason}   (and /resume)
 *     POST /admin/api/schedules/{process}/run-now     starts it now
 *     GET  /admin/api/schedules/{process}/executions  recent runs, status and figures
 *   Pages (Vietnamese, ?lang=en): /admin/, /admin/schedules/{process}, /admin/schedules/{process}/runs/{name};
 *   forms post back to the same paths with the page's CSRF token.
 *   The debt cases, behind the same sign-in: /admin/cases… and /admin/api/cases… (../escalation/case-http.ts).
 *
 * Errors: 400 invalid change or unknown process in a change, 404 unknown process or run to read, 409 stale
 * version, 401 not signed in, 403 a form without its token. Nothing is changed by a refused request.
 */
import { createHmac } from 'node:crypto';
import type { HttpEvent, HttpResult } from '../approvals/http.ts';
import { sameSecret } from '../approvals/model.ts';
import { StaleVersionError, UnknownProcessError } from './model.ts';
import { listPage, messagePage, runPage, schedulePage, type Lang } from './pages.ts';
import { InvalidChangeError, type ScheduleService } from './service.ts';
import { bodyText, html, json, redirect } from '../shared/http-results.ts';
import { caseApi, casePages, type CaseHttpDeps, type CaseRequest } from '../escalation/case-http.ts';

export type AdminEvent = HttpEvent & {
  rawQueryString?: string;
  requestContext: HttpEvent['requestContext'] & {
    /** Set by a function URL with AWS_IAM auth: the caller is already authenticated. */
    authorizer?: { iam?: { userArn?: string; userId?: string } };
  };
};

/** Who is asking, or undefined if nobody signed in. */
export interface AdminAuth {
  /** `api`: the JSON API, which takes no cookie (a cross-site request can never ride a session there). */
  principal(event: AdminEvent, surface: 'page' | 'api'): string | undefined;
  /** A secret bound to the session, for the forms' CSRF token. */
  sessionSecret(event: AdminEvent): string;
  /** The local sign-in link (`/admin/login?token=...`) sets this cookie; undefined where IAM signs requests. */
  login?(token: string): { cookie: string } | undefined;
}

const COOKIE = 'dondoc_admin';

function cookieOf(event: AdminEvent, name: string): string | undefined {
  for (const part of (event.headers?.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/** The embedded stack's admin: one token, printed at start, sent as a bearer token or the sign-in cookie. */
export function tokenAuth(token: string, name = 'quantri-local'): AdminAuth {
  const valid = (candidate: string | undefined) => candidate !== undefined && sameSecret(candidate, token);
  return {
    principal(event, surface) {
      const bearer = /^Bearer (.+)$/.exec(event.headers?.authorization ?? '')?.[1];
      if (valid(bearer)) return name;
      return surface === 'page' && valid(cookieOf(event, COOKIE)) ? name : undefined;
    },
    sessionSecret: () => token,
    login: (candidate) =>
      valid(candidate) ? { cookie: `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/admin` } : undefined,
  };
}

/**
 * Who an IAM caller is, in the history's words: the user name or the role session name at the end of the
 * ARN (`arn:aws:sts::…:assumed-role/Admins/alice` -> `alice`), as CloudTrail shows it beside the full ARN.
 */
export function principalOfArn(arn: string): string {
  const tail = arn.split(/[/:]/).filter(Boolean).at(-1) ?? 'iam';
  return tail.replace(/[^A-Za-z0-9_.@-]/g, '-').slice(0, 64) || 'iam';
}

/**
 * The cloud: the function URL verified the SigV4 signature (AuthType AWS_IAM). The form token binds the
 * caller's ARN to a secret the function holds (ADMIN_FORM_SECRET), so another site cannot compute it.
 */
export function iamAuth(formSecret: string): AdminAuth {
  return {
    principal: (event) => {
      const arn = event.requestContext.authorizer?.iam?.userArn;
      return arn ? principalOfArn(arn) : undefined;
    },
    sessionSecret: (event) => `${formSecret}:${event.requestContext.authorizer?.iam?.userArn ?? ''}`,
  };
}

/** The status a refusal gets, and its message; rethrows anything else. */
function refusal(error: unknown, writing: boolean): { status: number; message: string } {
  if (error instanceof InvalidChangeError) return { status: 400, message: error.message };
  if (error instanceof StaleVersionError) return { status: 409, message: error.message };
  if (error instanceof UnknownProcessError) return { status: writing ? 400 : 404, message: error.message };
  throw error;
}

export interface AdminHttpDeps {
  service: ScheduleService;
  auth: AdminAuth;
  /** The debt cases' pages and API (../escalation/case-http.ts), behind the same sign-in. */
  cases: CaseHttpDeps;
}

export async function handleAdminRequest(deps: AdminHttpDeps, event: AdminEvent): Promise<HttpResult> {
  const method = event.requestContext.http.method.toUpperCase();
  const path = event.rawPath.replace(/\/+$/, '') || '/';
  const query = new URLSearchParams(event.rawQueryString ?? '');
  const lang: Lang = query.get('lang') === 'en' ? 'en' : 'vi';

  if (path === '/admin/login' && method === 'GET') {
    const signedIn = deps.auth.login?.(query.get('token') ?? '');
    if (!signedIn)
      return html(401, messagePage(lang, 401, 'Liên kết đăng nhập không đúng. / Wrong sign-in link.'));
    return redirect('/admin/', { 'set-cookie': signedIn.cookie });
  }
  const isApi = path.startsWith('/admin/api/');
  const by = deps.auth.principal(event, isApi ? 'api' : 'page');
  if (!by) {
    return isApi
      ? json(401, { error: 'sign in: Authorization: Bearer <the admin token npm start printed>' })
      : html(
          401,
          messagePage(
            lang,
            401,
            'Cần đăng nhập bằng liên kết npm start in ra. / Sign in with the link npm start printed.',
          ),
        );
  }
  const csrf = csrfFor(deps, event);
  const caseRequest: CaseRequest = {
    method,
    path,
    query,
    by,
    body: bodyText(event),
    csrf,
    validCsrf: (token) => sameSecret(token, csrf),
  };
  const caseResult = await (isApi ? caseApi : casePages)(deps.cases, caseRequest);
  if (caseResult) return caseResult;
  return isApi ? api(deps, event, method, path, by) : pages(deps, event, method, path, by, lang, csrf);
}

async function api(
  deps: AdminHttpDeps,
  event: AdminEvent,
  method: string,
  path: string,
  by: string,
): Promise<HttpResult> {
  const match = /^\/admin\/api\/schedules(?:\/([^/]+))?(?:\/(pause|resume|run-now|executions))?$/.exec(path);
  if (!match) return json(404, { error: `no such resource ${path}` });
  const [, processId, action] = match;
  const writing = method !== 'GET';
  try {
    if (!processId) {
      if (method !== 'GET') return json(405, { error: 'GET only' });
      return json(200, { schedules: await deps.service.list() });
    }
    if (!action && method === 'GET') return json(200, await deps.service.show(processId));
    if (action === 'executions' && method === 'GET')
      return json(200, { executions: await deps.service.executions(processId) });
    let body: Record<string, unknown> = {};
    if (writing) {
      // A write is JSON, said so in its content type: a page on another site can post a form or plain text
      // without asking (and a signing proxy would sign it), but not this without a CORS preflight, which
      // nothing here answers. A browser that says the request is cross-site is refused outright.
      if (event.headers?.['sec-fetch-site'] === 'cross-site')
        return json(403, { error: 'cross-site requests are refused' });
      if (!/^application\/json\b/i.test(event.headers?.['content-type'] ?? ''))
        return json(415, { error: 'a write needs content-type: application/json' });
      const text = bodyText(event);
      try {
        body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      } catch (error) {
        return json(400, { error: `the body is not JSON: ${(error as Error).message}` });
      }
      if (!body || typeof body !== 'object' || Array.isArray(body))
        return json(400, { error: 'the body must be a JSON object' });
    }
    if (!action && method === 'PUT') return json(200, await deps.service.update(processId, { ...body, by }));
    if ((action === 'pause' || action === 'resume') && method === 'POST') {
      const change = { version: body.version, reason: body.reason, by, enabled: action === 'resume' };
      return json(200, await deps.service.update(processId, change));
    }
    if (action === 'run-now' && method === 'POST') return json(202, await deps.service.runNow(processId, by));
    return json(405, { error: `${method} is not allowed on ${path}` });
  } catch (error) {
    const { status, message } = refusal(error, writing);
    return json(status, { error: message });
  }
}

function csrfFor(deps: AdminHttpDeps, event: AdminEvent): string {
  return createHmac('sha256', deps.auth.sessionSecret(event)).update('dondoc-admin-form').digest('base64url');
}

async function pages(
  deps: AdminHttpDeps,
  event: AdminEvent,
  method: string,
  path: string,
  by: string,
  lang: Lang,
  csrf: string,
): Promise<HttpResult> {
  if (path === '/admin' && method === 'GET') return html(200, listPage(await deps.service.list(), lang));
  const run = /^\/admin\/schedules\/([^/]+)\/runs\/([^/]+)$/.exec(path);
  if (run && method === 'GET') {
    try {
      const found = await deps.service.execution(run[1]!, decodeURIComponent(run[2]!));
      if (!found) return html(404, messagePage(lang, 404, 'Không có lần chạy này. / No such run.'));
      return html(200, runPage(run[1]!, found, lang));
    } catch (error) {
      const { status, message } = refusal(error, false);
      return html(status, messagePage(lang, status, message));
    }
  }
  const match = /^\/admin\/schedules\/([^/]+)(?:\/(pause|resume|run-now))?$/.exec(path);
  if (!match) return html(404, messagePage(lang, 404, `Không có trang ${path}. / No such page.`));
  const [, processId, action] = match as unknown as [string, string, string | undefined];
  const render = async (
    status: number,
    notice?: Parameters<typeof schedulePage>[0]['notice'],
    form?: Parameters<typeof schedulePage>[0]['form'],
  ) => {
    const [view, runs] = await Promise.all([
      deps.service.show(processId),
      deps.service.executions(processId),
    ]);
    return html(status, schedulePage({ view, runs, lang, csrf, notice, form }));
  };
  const back = `/admin/schedules/${processId}${lang === 'en' ? '?lang=en' : ''}`;

  try {
    if (method === 'GET' && !action) {
      const notice = new URLSearchParams(event.rawQueryString ?? '').get('done');
      return await render(200, notice ? { kind: 'ok', text: notice } : undefined);
    }
    if (method !== 'POST') return html(405, messagePage(lang, 405, `${method}?`));
    const form = new URLSearchParams(bodyText(event));
    // The session cookie is SameSite=Strict; the token also refuses a form posted from anywhere else.
    if (!sameSecret(form.get('csrf') ?? '', csrf)) {
      return html(
        403,
        messagePage(
          lang,
          403,
          'Biểu mẫu đã cũ hoặc không hợp lệ: tải lại trang. / Stale or forged form: reload the page.',
        ),
      );
    }
    const version = /^\d+$/.test(form.get('version') ?? '') ? Number(form.get('version')) : undefined;
    const reason = form.get('reason') ?? undefined;
    const done = (text: string) =>
      redirect(`${back}${back.includes('?') ? '&' : '?'}done=${encodeURIComponent(text)}`);
    if (action === 'run-now') {
      const started = await deps.service.runNow(processId, by);
      return done(`${lang === 'vi' ? 'Đã bắt đầu' : 'Started'} ${started.name}`);
    }
    if (action === 'pause' || action === 'resume') {
      await deps.service.update(processId, { version, reason, by, enabled: action === 'resume' });
      return done(
        lang === 'vi'
          ? action === 'pause'
            ? 'Đã tạm dừng.'
            : 'Đã chạy lại theo lịch.'
          : action === 'pause'
            ? 'Paused.'
            : 'Resumed.',
      );
    }
    const fields = {
      cron: form.get('cron') ?? '',
      timeZone: form.get('timeZone') ?? '',
      flexibleWindowMinutes: form.get('flexibleWindowMinutes') ?? '',
      input: form.get('input') ?? '',
    };
    let input: unknown;
    try {
      input = fields.input.trim() ? JSON.parse(fields.input) : {};
    } catch {
      return await render(400, { kind: 'error', text: 'input: không phải JSON / not JSON' }, fields);
    }
    try {
      await deps.service.update(processId, {
        cron: fields.cron,
        timeZone: fields.timeZone,
        flexibleWindowMinutes: /^\d+$/.test(fields.flexibleWindowMinutes)
          ? Number(fields.flexibleWindowMinutes)
          : fields.flexibleWindowMinutes,
        input,
        version,
        reason,
        by,
      });
    } catch (error) {
      const { status, message } = refusal(error, true);
      if (status === 404) throw error;
      if (status === 409) {
        // Someone else changed it meanwhile: the form shows what is stored now, with its version, so a
        // resubmission cannot silently undo their change; what was typed is quoted to copy back.
        const typed = lang === 'vi' ? 'Bạn đã nhập' : 'You typed';
        const reload =
          lang === 'vi'
            ? 'Biểu mẫu nay hiện giá trị mới nhất; nhập lại thay đổi nếu vẫn cần.'
            : 'The form now shows the latest values; make your change again if it is still needed.';
        return await render(status, {
          kind: 'error',
          text: `${message}. ${reload} ${typed}: ${fields.cron}, ${fields.timeZone}, ${fields.flexibleWindowMinutes}, ${fields.input}`,
        });
      }
      // The form comes back with what was typed and the reason, nothing saved.
      return await render(status, { kind: 'error', text: message }, fields);
    }
    return done(lang === 'vi' ? 'Đã lưu.' : 'Saved.');
  } catch (error) {
    const { status, message } = refusal(error, method !== 'GET');
    return html(status, messagePage(lang, status, message));
  }
}
