/** The admin API and pages on the embedded stack's front door, over real HTTP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ScheduleRepository } from '../../../functions/schedules/repository.ts';
import { awsClients } from '../../../functions/shared/aws.ts';
import { FREE_PORTS, startLocalStack, type LocalStack } from '../../../infra/local/stack.ts';
import { adminApi, tempDataDir, until } from '../../infra/local/helpers.ts';

const data = tempDataDir();
let stack: LocalStack;

const api: ReturnType<typeof adminApi> = (path, init) => adminApi(stack)(path, init);
const put = (path: string, body: unknown) => api(path, { method: 'PUT', body: JSON.stringify(body) });
const stored = () => new ScheduleRepository(awsClients().dynamo).get('monthly-c12');

beforeAll(async () => {
  stack = await startLocalStack({ dataDir: data.dir, ports: FREE_PORTS, resume: false });
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  data.remove();
});

describe('admin API', () => {
  it('refuses a caller without the admin token', async () => {
    expect((await api('/schedules', { token: null })).status).toBe(401);
    expect((await api('/schedules', { token: 'x'.repeat(43) })).status).toBe(401);
    const page = await fetch(`${stack.webUrl}/admin/`);
    expect(page.status).toBe(401);
    expect(await page.text()).toContain('Cần đăng nhập');
  });

  it('lists the schedules with their next runs and shows one with its history', async () => {
    const list = (await (await api('/schedules')).json()) as {
      schedules: { processId: string; nextRuns: string[] }[];
    };
    expect(list.schedules.map((s) => s.processId)).toEqual([
      'monthly-c12',
      'debt-escalation',
      'agency-review',
      'd08a-due-lists',
    ]);
    expect(list.schedules[0]!.nextRuns).toHaveLength(3);
    const one = (await (await api('/schedules/monthly-c12')).json()) as {
      version: number;
      history: unknown[];
    };
    expect(one).toMatchObject({ version: 0, history: [] });
    expect((await api('/schedules/weekly-report')).status).toBe(404);
  });

  it('answers an invalid cron, an unknown process and a stale version with 400/409 and changes nothing', async () => {
    const cases: [string, unknown, number, RegExp][] = [
      [
        '/schedules/monthly-c12',
        { cron: 'cron(0 6 5 * * *)', version: 0, reason: 'x' },
        400,
        /exactly one of day-of-month/,
      ],
      ['/schedules/monthly-c12', { cron: 'every day', version: 0, reason: 'x' }, 400, /six fields/],
      [
        '/schedules/monthly-c12',
        { flexibleWindowMinutes: -5, version: 0, reason: 'x' },
        400,
        /must not be negative/,
      ],
      ['/schedules/monthly-c12', { cron: 'cron(0 6 5 * ? *)', version: 0 }, 400, /reason: is required/],
      ['/schedules/monthly-c12', { colour: 'red', version: 0, reason: 'x' }, 400, /Unrecognized key/],
      ['/schedules/weekly-report', { version: 0, reason: 'x' }, 400, /unknown process 'weekly-report'/],
      [
        '/schedules/monthly-c12',
        { cron: 'cron(0 6 6 * ? *)', version: 4, reason: 'x' },
        409,
        /at version 0.*from version 4/,
      ],
    ];
    for (const [path, body, status, message] of cases) {
      const response = await put(path, body);
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(((await response.json()) as { error: string }).error).toMatch(message);
    }
    const notJson = await api('/schedules/monthly-c12', { method: 'PUT', body: '{cron:' });
    expect(notJson.status).toBe(400);
    const big = await put('/schedules/monthly-c12', {
      input: { note: 'x'.repeat(9000) },
      version: 0,
      reason: 'x',
    });
    expect(big.status).toBe(400);
    expect(((await big.json()) as { error: string }).error).toMatch(/input: must be at most 8 KB of JSON/);
    expect((await stored()).version).toBe(0);
  });

  it('refuses a write that is not JSON by its content type, or that a browser says is cross-site', async () => {
    const token = stack.adminToken;
    const post = (path: string, headers: Record<string, string>) =>
      fetch(`${stack.webUrl}/admin/api${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, ...headers },
        body: JSON.stringify({ version: 0, reason: 'x' }),
      });
    // What a page elsewhere can send without a preflight: text/plain (or a form).
    const plain = await post('/schedules/monthly-c12/pause', { 'content-type': 'text/plain' });
    expect(plain.status).toBe(415);
    const runNow = await post('/schedules/monthly-c12/run-now', { 'content-type': 'text/plain' });
    expect(runNow.status).toBe(415);
    const crossSite = await post('/schedules/monthly-c12/pause', {
      'content-type': 'application/json',
      'sec-fetch-site': 'cross-site',
    });
    expect(crossSite.status).toBe(403);
    expect((await stored()).version).toBe(0);
    expect((await (await api('/schedules/monthly-c12/executions')).json()) as unknown).toEqual({
      executions: [],
    });
  });

  it('changes, pauses and resumes a schedule, the administrator recorded as who did it', async () => {
    const changed = await put('/schedules/monthly-c12', {
      cron: 'cron(0 6 6 * ? *)',
      version: 0,
      reason: 'ngày 5 là Chủ nhật',
    });
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({
      version: 1,
      cron: 'cron(0 6 6 * ? *)',
      updatedBy: 'quantri-local',
    });
    const paused = await api('/schedules/monthly-c12/pause', {
      method: 'POST',
      body: JSON.stringify({ version: 1, reason: 'kiểm tra số liệu' }),
    });
    expect(await paused.json()).toMatchObject({ version: 2, enabled: false, nextRuns: [] });
    const stale = await api('/schedules/monthly-c12/resume', {
      method: 'POST',
      body: JSON.stringify({ version: 1, reason: 'x' }),
    });
    expect(stale.status).toBe(409);
    const resumed = await api('/schedules/monthly-c12/resume', {
      method: 'POST',
      body: JSON.stringify({ version: 2, reason: 'xong' }),
    });
    expect(await resumed.json()).toMatchObject({ version: 3, enabled: true });
    const history = (
      (await (await api('/schedules/monthly-c12')).json()) as { history: { version: number; by: string }[] }
    ).history;
    expect(history.map((h) => [h.version, h.by])).toEqual([
      [3, 'quantri-local'],
      [2, 'quantri-local'],
      [1, 'quantri-local'],
    ]);
  });

  it('runs a process now, then reports the run’s status and figures', async () => {
    const started = await api('/schedules/debt-escalation/run-now', { method: 'POST', body: '{}' });
    expect(started.status).toBe(202);
    const { name } = (await started.json()) as { name: string };
    const run = await until(async () => {
      const { executions } = (await (await api('/schedules/debt-escalation/executions')).json()) as {
        executions: { name: string; status: string; outcome?: Record<string, number> }[];
      };
      const mine = executions.find((e) => e.name === name);
      return mine?.status === 'SUCCEEDED' ? mine : undefined;
    });
    expect(run.outcome).toMatchObject({ evaluated: 0 });
  }, 30_000);
});

describe('admin pages', () => {
  let cookie: string;
  const page = (path: string, init: RequestInit = {}) =>
    fetch(`${stack.webUrl}${path}`, {
      redirect: 'manual',
      ...init,
      headers: { cookie, ...(init.headers ?? {}) },
    });
  const form = (fields: Record<string, string>) => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });

  it('signs in by the printed link, and refuses a wrong one; the API never takes the cookie', async () => {
    expect((await fetch(`${stack.webUrl}/admin/login?token=wrong`, { redirect: 'manual' })).status).toBe(401);
    const login = await fetch(`${stack.webUrl}/admin/login?token=${stack.adminToken}`, {
      redirect: 'manual',
    });
    expect(login.status).toBe(303);
    const setCookie = login.headers.get('set-cookie')!;
    expect(setCookie).toMatch(/HttpOnly; SameSite=Strict; Path=\/admin/);
    cookie = setCookie.split(';')[0]!;
    const list = await page('/admin/');
    expect(list.status).toBe(200);
    const html = await list.text();
    expect(html).toContain('Lịch chạy các quy trình');
    expect(html).toContain('Vào 07:00');
    expect(await (await page('/admin/?lang=en')).text()).toContain('Process schedules');
    expect((await page('/admin/api/schedules')).status).toBe(401);
  });

  it('refuses a form without its token, and an invalid one with the reason and what was typed, nothing saved', async () => {
    const before = await new ScheduleRepository(awsClients().dynamo).get('debt-escalation');
    const forged = await page(
      '/admin/schedules/debt-escalation',
      form({ cron: 'cron(0 9 * * ? *)', version: String(before.version), reason: 'x' }),
    );
    expect(forged.status).toBe(403);
    const html = await (await page('/admin/schedules/debt-escalation')).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    const invalid = await page(
      '/admin/schedules/debt-escalation',
      form({
        csrf,
        cron: 'cron(0 9 * * * *)',
        timeZone: 'Asia/Ho_Chi_Minh',
        flexibleWindowMinutes: '0',
        input: '{}',
        version: String(before.version),
        reason: 'thử',
      }),
    );
    expect(invalid.status).toBe(400);
    const shown = await invalid.text();
    expect(shown).toContain('Chưa lưu được');
    expect(shown).toContain('exactly one of day-of-month and day-of-week');
    expect(shown).toContain('value="cron(0 9 * * * *)"');
    expect((await new ScheduleRepository(awsClients().dynamo).get('debt-escalation')).version).toBe(
      before.version,
    );

    const saved = await page(
      '/admin/schedules/debt-escalation',
      form({
        csrf,
        cron: 'cron(0 9 * * ? *)',
        timeZone: 'Asia/Ho_Chi_Minh',
        flexibleWindowMinutes: '15',
        input: '{}',
        version: String(before.version),
        reason: 'sau giờ giao ban',
      }),
    );
    expect(saved.status).toBe(303);
    const after = await (await page(saved.headers.get('location')!)).text();
    expect(after).toContain('Đã lưu.');
    expect(after).toContain('Vào 09:00');
    expect(after).toMatch(/<ul class="next"><li>\d{4}-\d\d-\d\d 09:00<\/li>/);
  });

  it('refused because someone changed it meanwhile, shows the stored values so a resubmission undoes nothing', async () => {
    const html = await (await page('/admin/schedules/agency-review')).text();
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)![1]!;
    const loaded = await new ScheduleRepository(awsClients().dynamo).get('agency-review');
    // Another administrator changes the input meanwhile.
    const other = await put('/schedules/agency-review', {
      input: { month: '2026-11' },
      version: loaded.version,
      reason: 'rà soát lại tháng 11',
    });
    expect(other.status).toBe(200);
    const stale = await page(
      '/admin/schedules/agency-review',
      form({
        csrf,
        cron: 'cron(0 9 3 * ? *)',
        timeZone: 'Asia/Ho_Chi_Minh',
        flexibleWindowMinutes: '0',
        input: '{}',
        version: String(loaded.version),
        reason: 'muộn hơn',
      }),
    );
    expect(stale.status).toBe(409);
    const shown = await stale.text();
    expect(shown).toContain('Bạn đã nhập: cron(0 9 3 * ? *)');
    // The form holds what is stored now, at its version: resubmitting it keeps the other change.
    expect(shown).toContain(`name="version" value="${loaded.version + 1}"`);
    expect(shown).toContain('value="cron(0 8 3 * ? *)"');
    expect(shown).toContain('{&quot;month&quot;:&quot;2026-11&quot;}');
    expect((await new ScheduleRepository(awsClients().dynamo).get('agency-review')).input).toEqual({
      month: '2026-11',
    });
  });
});
