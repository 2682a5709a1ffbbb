/**
 * The case pages and API of the admin surface on the embedded stack, over real HTTP: a case the real sweep
 * climbed, shown with its documents and trail; paused and resumed from the page and the API; every refused
 * request (no sign-in, forged form, bad reason, wrong state, unknown case, bad JSON) changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FREE_PORTS, startLocalStack, type LocalStack } from '../../../infra/local/stack.ts';
import { adminApi, tempDataDir, until } from '../../infra/local/helpers.ts';
import { cases, seedEscalation, sweep } from '../../workflows/escalation-fixtures.ts';

const data = tempDataDir();
let stack: LocalStack;
let cookie = '';

const EMPLOYER = {
  employerId: 'TS0001A',
  name: 'Công ty TNHH Nợ <Kéo> Dài',
  email: 'ketoan@nokeodai.example',
};
const OTHER = { employerId: 'TS0002A', name: 'Công ty CP Chờ Duyệt', email: 'ketoan@choduyet.example' };

const api: ReturnType<typeof adminApi> = (path, init) => adminApi(stack)(path, init);
const page = (path: string, body?: Record<string, string>) =>
  fetch(`${stack.webUrl}${path}`, {
    redirect: 'manual',
    headers: { cookie, ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
    ...(body ? { method: 'POST', body: new URLSearchParams(body).toString() } : {}),
  });
const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)![1]!;
const current = async () => (await cases().currentCase('TS0001A'))!;

beforeAll(async () => {
  stack = await startLocalStack({ dataDir: data.dir, ports: FREE_PORTS, resume: false });
  await seedEscalation([EMPLOYER, OTHER]);
  expect((await sweep('2026-10-02')).totals).toMatchObject({ CLIMBED: 2 });
  // The other case goes on to wait for its officer's approval (its link recorded on the case).
  expect((await sweep('2026-10-30', 'TS0002A')).totals).toMatchObject({ APPROVAL_REQUESTED: 1 });
  await until(async () => (await cases().currentCase('TS0002A'))?.pendingApproval?.approvalId);
  const login = await fetch(`${stack.webUrl}/admin/login?token=${stack.adminToken}`, { redirect: 'manual' });
  cookie = login.headers.get('set-cookie')!.split(';')[0]!;
}, 60_000);

afterAll(async () => {
  await stack?.stop();
  data.remove();
});

describe('case pages', () => {
  it('needs the admin sign-in, on the pages and the API', async () => {
    expect((await fetch(`${stack.webUrl}/admin/cases/TS0001A`)).status).toBe(401);
    expect((await api('/cases', { token: null })).status).toBe(401);
  });

  it('lists the open cases, and refuses an unknown status', async () => {
    const list = await page('/admin/cases');
    expect(list.status).toBe(200);
    const html = await list.text();
    expect(html).toContain('data-employer="TS0001A"');
    expect(html).toContain('Nợ &lt;Kéo&gt; Dài');
    expect(await (await page('/admin/cases?status=CLOSED')).text()).toContain('Không có hồ sơ nào.');
    expect((await page('/admin/cases?status=LOST')).status).toBe(400);
    const listed = (await (await api('/cases?status=OPEN')).json()) as { cases: { employerId: string }[] };
    expect(listed.cases.map((kase) => kase.employerId)).toEqual(['TS0001A', 'TS0002A']);
    expect((await api('/cases?status=LOST')).status).toBe(400);
  });

  it('pages through the cases, by cursor', async () => {
    type Page = { cases: { employerId: string }[]; next: string | null };
    const first = (await (await api('/cases?status=OPEN&limit=1')).json()) as Page;
    expect(first.cases.map((kase) => kase.employerId)).toEqual(['TS0001A']);
    expect(first.next).toBe('TS0001A');
    const second = (await (await api(`/cases?status=OPEN&limit=1&cursor=${first.next}`)).json()) as Page;
    expect(second.cases.map((kase) => kase.employerId)).toEqual(['TS0002A']);
    for (const bad of ['limit=0', 'limit=501', 'limit=two', 'cursor=%3Cx%3E'])
      expect((await api(`/cases?status=OPEN&${bad}`)).status, bad).toBe(400);
    const officers = (await (await api('/cases?status=OPEN&officer=CB01')).json()) as Page;
    expect(officers.cases).toHaveLength(2);
    expect(((await (await api('/cases?officer=NOBODY')).json()) as Page).cases).toEqual([]);
  });

  it('never hands out the approval link a case waits on', async () => {
    const stored = (await cases().currentCase('TS0002A'))!.pendingApproval!.approvalId!;
    for (const path of ['/cases?status=OPEN', '/cases/TS0002A']) {
      const body = await (await api(path)).text();
      expect(body).toContain('"approverId"');
      expect(body).not.toContain(stored);
    }
    expect(await (await page('/admin/cases/TS0002A')).text()).not.toContain(stored);
  });

  it('shows one case: its stage, the documents sent and the whole trail', async () => {
    const response = await page('/admin/cases/TS0001A');
    expect(response.status).toBe(200);
    const html = await response.text();
    // Stages by the names officers use, not the codes of the data.
    expect(html).toContain('Văn bản đôn đốc: Gửi văn bản đôn đốc');
    expect(html).toMatch(/<td>Nhắc nợ<\/td><td>đã gửi email<\/td>/);
    expect(html).toContain('Nhật ký hồ sơ');
    expect(html).toContain('Chuyển bước Nhắc nợ');
    expect(html).toContain('Chuyển bước Văn bản đôn đốc');
    expect(html).toMatch(/Mở hồ sơ<\/th><td>[^<]*, kỳ \d{2}\/\d{4}</);
    expect(html).not.toMatch(/>(REMINDER|URGING_LETTER)</);
    expect(html).toContain('Tạm dừng đôn đốc');
    const shown = (await (await api('/cases/TS0001A')).json()) as {
      case: { stage: string };
      trail: unknown[];
    };
    expect(shown.case.stage).toBe('URGING_LETTER');
    // The case, not its storage: no sort key of the Cases table.
    expect(shown.case).not.toHaveProperty('slot');
    const listed = (await (await api('/cases?status=OPEN')).json()) as { cases: object[] };
    for (const kase of listed.cases) expect(kase).not.toHaveProperty('slot');
    expect(shown.trail).toHaveLength((await cases().trail((await current()).caseId)).length);
    expect(html).toContain('Công ty TNHH Nợ &lt;Kéo&gt; Dài');
    expect(html).not.toContain('<Kéo>');
    expect((await page('/admin/cases/TS9999Z')).status).toBe(404);
    const reflected = await page('/admin/cases/TS0001A%3Cscript%3E');
    expect(reflected.status).toBe(404);
    expect(await reflected.text()).not.toContain('<script>');
    expect((await api('/cases/TS9999Z')).status).toBe(404);
  });

  it('refuses a forged form and a bad reason, changing nothing', async () => {
    const forged = await page('/admin/cases/TS0001A/pause', { csrf: 'forged', reason: 'DISPUTE' });
    expect(forged.status).toBe(403);
    const csrf = csrfOf(await (await page('/admin/cases/TS0001A')).text());
    const bad = await page('/admin/cases/TS0001A/pause', { csrf, reason: 'BORED' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('reason must be one of FORCE_MAJEURE, DISPUTE, LEGAL_SUSPENSION');
    const long = await page('/admin/cases/TS0001A/pause', {
      csrf,
      reason: 'DISPUTE',
      note: 'x'.repeat(1001),
    });
    expect(long.status).toBe(400);
    expect((await current()).status).toBe('OPEN');
    expect((await current()).pauses ?? []).toEqual([]);
  });

  it('pauses from the page (audited as the signed-in administrator, channel WEB), once', async () => {
    const csrf = csrfOf(await (await page('/admin/cases/TS0001A')).text());
    const paused = await page('/admin/cases/TS0001A/pause', {
      csrf,
      reason: 'DISPUTE',
      note: 'Đơn vị khiếu nại số nợ tháng 8',
    });
    expect(paused.status).toBe(303);
    expect(paused.headers.get('location')).toBe('/admin/cases/TS0001A?done=paused');
    const shown = await (await page(paused.headers.get('location')!)).text();
    expect(shown).toContain('Đã tạm dừng hồ sơ.');
    // The notice is a code: a link cannot make the page say anything else.
    const forgedNotice = await page('/admin/cases/TS0001A?done=Tr%C3%BAng%20th%C6%B0%E1%BB%9Fng');
    expect(await forgedNotice.text()).not.toContain('role="status"');
    expect(shown).toContain('Đơn vị khiếu nại số nợ tháng 8');
    expect(shown).toContain('Tiếp tục đôn đốc');
    const kase = await current();
    expect(kase.status).toBe('PAUSED');
    const trail = await cases().trail(kase.caseId);
    expect(trail.at(-1)).toMatchObject({ what: 'PAUSED', who: 'quantri-local', channel: 'WEB' });

    const again = await page('/admin/cases/TS0001A/pause', { csrf, reason: 'DISPUTE' });
    expect(again.status).toBe(409);
    expect((await current()).pauses).toHaveLength(1);
  });

  it('resumes through the API once; a second resume and bad JSON are refused', async () => {
    expect((await api('/cases/TS0001A/resume', { method: 'POST', body: '{' })).status).toBe(400);
    const resumed = await api('/cases/TS0001A/resume', {
      method: 'POST',
      body: JSON.stringify({ note: 'Đã đối chiếu xong' }),
    });
    expect(resumed.status).toBe(200);
    const body = (await resumed.json()) as { case: { status: string } };
    expect(body.case.status).toBe('OPEN');
    expect(body.case).not.toHaveProperty('slot');
    const again = await api('/cases/TS0001A/resume', { method: 'POST', body: '{}' });
    expect(again.status).toBe(409);
    expect((await api('/cases/TS0001A/pause', { method: 'POST', body: '{"reason":"x"}' })).status).toBe(400);
    expect((await current()).status).toBe('OPEN');
    const trail = await cases().trail((await current()).caseId);
    expect(trail.filter((entry) => entry.what === 'RESUMED')).toHaveLength(1);
  });
});
