/**
 * The schedules page in a real browser (playwright-core driving Debian's chromium, which .ci/run installs):
 * an administrator edits a schedule and sees its next run times change; a screenshot is kept in
 * test-artifacts/ for the record.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FREE_PORTS, startLocalStack, type LocalStack } from '../../infra/local/stack.ts';
import { tempDataDir } from '../infra/local/helpers.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);

const data = tempDataDir();
let stack: LocalStack;
let browser: Browser;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install chromium (.ci/run does), or set CHROMIUM_PATH`);
  }
  stack = await startLocalStack({ dataDir: data.dir, ports: FREE_PORTS, resume: false });
  // The flags this machine needs: no sandbox as root, and no background calls to a network it cannot reach.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
  data.remove();
});

describe('the schedules page', () => {
  it('edits a schedule and shows the new next run times', async () => {
    const page = await browser.newPage({ locale: 'vi-VN' });
    await page.goto(`${stack.webUrl}/admin/login?token=${stack.adminToken}`);
    expect(await page.locator('h1').textContent()).toBe('Lịch chạy các quy trình');

    await page.click('a[href="/admin/schedules/debt-escalation"]');
    const nextRuns = page.locator('#next-runs li');
    expect(await nextRuns.count()).toBe(3);
    const before = await nextRuns.allTextContents();
    expect(before.every((run) => run.endsWith(' 07:00'))).toBe(true);

    await page.fill('#f-cron', 'cron(30 6 ? * MON-FRI *)');
    await page.fill('#f-reason', 'chỉ chạy ngày làm việc');
    await page.click('form[action="/admin/schedules/debt-escalation"] button[type=submit]');

    await page.waitForURL(/done=/);
    expect(await page.locator('[role=status]').textContent()).toBe('Đã lưu.');
    expect(await page.locator('#meaning').textContent()).toBe('Vào 06:30, Thứ 2 đến Thứ 6');
    const after = await nextRuns.allTextContents();
    expect(after).toHaveLength(3);
    expect(after).not.toEqual(before);
    for (const run of after) {
      expect(run).toMatch(/ 06:30$/);
      // Mondays to Fridays only, in Vietnam's calendar.
      const day = new Date(`${run.slice(0, 10)}T12:00:00+07:00`).getUTCDay();
      expect(day).toBeGreaterThanOrEqual(1);
      expect(day).toBeLessThanOrEqual(5);
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: new URL('admin-schedules.png', ARTIFACTS).pathname, fullPage: true });

    // A bad cron comes back with the reason, in the page's language.
    await page.goto(`${stack.webUrl}/admin/schedules/debt-escalation?lang=en`);
    await page.fill('#f-cron', 'cron(0 7 * * * *)');
    await page.fill('#f-reason', 'typo');
    await page.click('form[action="/admin/schedules/debt-escalation?lang=en"] button[type=submit]');
    expect(await page.locator('[role=status]').textContent()).toContain('Not saved');
    expect(await page.locator('#meaning').textContent()).toBe('At 06:30, Monday through Friday');
  }, 60_000);
});
