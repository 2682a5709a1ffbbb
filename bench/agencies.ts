/**
 * The agency review's figures, for `npm run bench -- --only agencies`: the pure review (validation, rules,
 * KPIs, D08a lists) at the national scale of the seeds (527 organisations, 53,000 collectors, 27,452
 * points, 12 months of enrolments), in one process: the review's compute alone;
 * - then the whole monthly review at that scale on the embedded stack (the AgencyReview workflow: the
 *   province read and reviewed, 527 reports with their PDFs, the summary, the decisions it proposes), seeded
 *   by another process first: seconds end to end and the peak memory of every process (target: under
 *   120 s and 1.5 GB).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dueList } from '../functions/agencies/due-list.ts';
import { validateReviewData } from '../functions/agencies/model.ts';
import { reviewAgencies } from '../functions/agencies/review.ts';
import { addMonths } from '../functions/shared/calendar.ts';
import { generateAgencyProvince } from '../infra/local/seed-agencies.ts';
import { fmt, type Line } from './report.ts';

export function benchAgencyReview(line: Line): void {
  const asOf = '2026-12-03';
  console.log('\nagencies: the monthly review, pure, at the national scale of the seeds (one process)');
  let started = performance.now();
  const province = generateAgencyProvince({
    asOf,
    organisations: 527,
    collectors: 53_000,
    points: 27_452,
    communes: 3_321,
    participants: 500_000,
  });
  line('generating (not counted)', `${((performance.now() - started) / 1000).toFixed(1)} s`);
  line(
    'records',
    `${fmt(province.collectors.length)} collectors, ${fmt(province.points.length)} points, ` +
      `${fmt(province.participants.length)} participants, ${fmt(province.enrolments.length)} enrolments`,
  );
  started = performance.now();
  const { data, rejected } = validateReviewData(province, asOf);
  const validated = performance.now();
  const review = reviewAgencies(data, addMonths(asOf.slice(0, 7), -1));
  const reviewed = performance.now();
  const lists = dueList(data.participants, asOf.slice(0, 7));
  const listed = performance.now();
  line('validation', `${((validated - started) / 1000).toFixed(2)} s (${rejected.length} rejected)`);
  line(
    'rules and KPIs',
    `${((reviewed - validated) / 1000).toFixed(2)} s (${fmt(review.findings.length)} findings)`,
  );
  line(
    'D08a-TS lists',
    `${((listed - reviewed) / 1000).toFixed(2)} s (${fmt([...lists.values()].flat().length)} due)`,
  );
  line('peak RSS, generation included', `${fmt(process.resourceUsage().maxRSS / 1024)} MB`);
}

/** Resident memory (MB) of a process, 0 once it is gone. */
function rssMb(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** What a process of the stack is: this one hosts the engine and the handler threads. */
function roleOf(pid: number): string {
  if (pid === process.pid) return 'engine, handlers';
  try {
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    return command.slice(-2).join(' ').slice(-60);
  } catch {
    return 'exited';
  }
}

function childrenOf(root: number): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === root) found.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return found;
}

export async function benchAgencyReviewOnStack(line: Line): Promise<void> {
  const { FREE_PORTS, handlerThreadsOfMachine, startLocalStack } = await import('../infra/local/stack.ts');
  const { stateMachineArn } = await import('../infra/local/sfn-engine.ts');
  const { DescribeExecutionCommand, SFNClient, StartExecutionCommand } = await import('@aws-sdk/client-sfn');
  const asOf = '2026-12-03';
  console.log('\nagencies: the monthly review at the national scale of the seeds, embedded stack');
  const dataDir = mkdtempSync(join(tmpdir(), 'dondoc-bench-agencies-'));
  try {
    const seed = spawnSync(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./seed-agencies.ts', import.meta.url)), dataDir, asOf],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: process.env },
    );
    if (seed.status !== 0) throw new Error(`seeding failed (exit ${seed.status})`);
    const seeded = JSON.parse(seed.stdout.trim().split('\n').at(-1)!) as {
      seconds: number;
      items: number;
      enrolments: number;
    };
    line(
      'seeding (not counted)',
      `${seeded.seconds.toFixed(1)} s, ${fmt(seeded.items)} items, ${fmt(seeded.enrolments)} enrolments`,
    );

    const stack = await startLocalStack({
      dataDir,
      ports: FREE_PORTS,
      handlerThreads: handlerThreadsOfMachine(),
    });
    try {
      const tree = [process.pid, ...childrenOf(process.pid)];
      const peak = new Map<number, number>();
      let peakSum = 0;
      const sampler = setInterval(() => {
        let sum = 0;
        for (const pid of tree) {
          const rss = rssMb(pid);
          peak.set(pid, Math.max(peak.get(pid) ?? 0, rss));
          sum += rss;
        }
        peakSum = Math.max(peakSum, sum);
      }, 250);
      const sfn = new SFNClient({});
      const started = performance.now();
      const { executionArn } = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: stateMachineArn('AgencyReview'),
          input: JSON.stringify({ asOf }),
        }),
      );
      let execution;
      for (;;) {
        execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        if (execution.status !== 'RUNNING') break;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const seconds = (performance.now() - started) / 1000;
      clearInterval(sampler);
      if (execution.status !== 'SUCCEEDED')
        line('execution', `${execution.status} ${execution.error ?? ''} ${execution.cause ?? ''}`);
      const output = JSON.parse(execution.output ?? '{}') as {
        organisations?: number;
        reports?: { sent: number };
      };
      line('review time (end to end)', `${seconds.toFixed(1)} s`, '< 120 s', seconds < 120);
      line(
        'organisations reviewed / reports sent',
        `${fmt(output.organisations ?? 0)} / ${fmt(output.reports?.sent ?? 0)}`,
      );
      const largest = Math.max(...peak.values());
      line('peak RSS, largest process', `${fmt(largest)} MB`, '< 1,536 MB', largest < 1536);
      line('peak RSS, all processes together', `${fmt(peakSum)} MB`);
      for (const [pid, mb] of peak) line(`  pid ${pid} (${roleOf(pid)})`, `${fmt(mb)} MB`);
    } finally {
      await stack.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
