/**
 * The escalation issue's figures, for `npm run bench` (bench/run.ts calls these):
 * - sweep: the DebtEscalation workflow over N open cases on the embedded stack (seeded by another process),
 *   cases per second end to end and CPU per case;
 * - approvals: the approval endpoints under 50 concurrent clients on localhost, latency percentiles of the
 *   page (GET) and of the decision (POST), on the approvals a backlog sweep asked for: each decision is a
 *   real one (its run waits on the token), so it resumes that run, whose steps share the machine.
 *   Each phase first runs WARMUP_SECONDS at full concurrency unmeasured (steady state is the figure; the
 *   warm-up's p99, the JIT and the SDK's lazily loaded modules under 50 clients at once, is printed beside).
 *   The runs resumed go on after the approvers have their answer (in the cloud too): how long after the
 *   load the last one ends is printed.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addDays } from '../functions/shared/calendar.ts';
import { cpuSeconds, descendants, printCpuBounds, seedInChild } from './processes.ts';
import { fmt, type Line } from './report.ts';

/** A data folder with the demo province unpaid and an open case per employer (seed-cases.ts). */
function seedCases(line: Line, dataDir: string, cases: number, asOf: string): void {
  const { seconds } = seedInChild('seed-cases.ts', [dataDir, String(cases), asOf]);
  line('seeding (not counted)', `${seconds.toFixed(1)} s`);
}

/** Runs the DebtEscalation workflow as of a day to its end: the execution as described. */
async function runSweep(asOf: string) {
  const { stateMachineArn } = await import('../infra/local/sfn-engine.ts');
  const { DescribeExecutionCommand, SFNClient, StartExecutionCommand } = await import('@aws-sdk/client-sfn');
  const sfn = new SFNClient({});
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: stateMachineArn('DebtEscalation'),
      input: JSON.stringify({ asOf }),
    }),
  );
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status !== 'RUNNING') return execution;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function benchSweep(line: Line, cases: number, asOf: string): Promise<void> {
  const { FREE_PORTS, handlerThreadsOfMachine, startLocalStack } = await import('../infra/local/stack.ts');
  console.log(`\nsweep: debt escalation over ${fmt(cases)} open cases, embedded stack, as of ${asOf}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'dondoc-bench-sweep-'));
  try {
    seedCases(line, dataDir, cases, asOf);

    const stack = await startLocalStack({
      dataDir,
      ports: FREE_PORTS,
      handlerThreads: handlerThreadsOfMachine(),
    });
    try {
      // Two days: the first takes every case's backlog at once (reminders, urging letters, closings,
      // approval requests); the second is an ordinary day (most cases wait or await their approval).
      for (const [label, day] of [
        ['first sweep (backlog)', asOf],
        ['next day (ordinary)', addDays(asOf, 1)],
      ] as const) {
        const cpuStart = process.cpuUsage();
        const emulators = descendants();
        const emulatorsCpuStart = emulators.map((pid) => cpuSeconds(pid));
        const started = performance.now();
        const execution = await runSweep(day);
        const seconds = (performance.now() - started) / 1000;
        const cpu = process.cpuUsage(cpuStart);
        const totals =
          (JSON.parse(execution.output ?? '{}') as { totals?: Record<string, number> }).totals ?? {};
        if (execution.status !== 'SUCCEEDED')
          line('execution', `${execution.status} ${execution.error ?? ''}`);
        const perSecond = (totals.evaluated ?? 0) / seconds;
        console.log(`  ${label}, ${day}:`);
        line('  sweep time', `${seconds.toFixed(1)} s`);
        line('  cases/s (end to end)', fmt(perSecond, 1), '>= 200', perSecond >= 200);
        const emulatorsCpu = emulators.reduce(
          (sum, pid, i) => sum + cpuSeconds(pid) - emulatorsCpuStart[i]!,
          0,
        );
        printCpuBounds(
          line,
          'case',
          totals.evaluated ?? 0,
          (cpu.user + cpu.system) / 1e6,
          emulatorsCpu,
          '  ',
          handlerThreadsOfMachine(),
        );
        line(
          '  outcomes',
          Object.entries(totals)
            .filter(([, count]) => count > 0)
            .map(([outcome, count]) => `${outcome} ${count}`)
            .join(', '),
        );
      }
    } finally {
      await stack.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const WARMUP_SECONDS = 1;

export async function benchApprovals(
  line: Line,
  clients: number,
  seconds: number,
  cases: number,
  asOf: string,
): Promise<void> {
  console.log(
    `\napprovals: the approval endpoints, ${clients} concurrent clients on localhost (${availableParallelism()} cores), on the approvals a sweep of ${fmt(cases)} cases asked for`,
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'dondoc-bench-approvals-'));
  try {
    seedCases(line, dataDir, cases, asOf);
    await measureApprovals(line, clients, seconds, dataDir, asOf);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function measureApprovals(
  line: Line,
  clients: number,
  seconds: number,
  dataDir: string,
  asOf: string,
): Promise<void> {
  const { FREE_PORTS, handlerThreadsOfMachine, startLocalStack } = await import('../infra/local/stack.ts');
  const { stateMachineArn } = await import('../infra/local/sfn-engine.ts');
  const { paginateScan } = await import('@aws-sdk/lib-dynamodb');
  const { awsClients } = await import('../functions/shared/aws.ts');
  const { tableName } = await import('../functions/shared/tables.ts');
  const stack = await startLocalStack({
    dataDir,
    ports: FREE_PORTS,
    handlerThreads: handlerThreadsOfMachine(),
  });
  try {
    // The sweep asks every case's officer to approve its working session: each approval is a real one,
    // its task token waited on by its CaseApproval run, so a decision resumes that run (the stage granted,
    // its letter sent) while the other requests are served.
    const sweep = await runSweep(asOf);
    if (sweep.status !== 'SUCCEEDED') throw new Error(`sweep ${sweep.status}: ${sweep.cause ?? ''}`);
    const asked = (JSON.parse(sweep.output ?? '{}') as { totals?: Record<string, number> }).totals
      ?.APPROVAL_REQUESTED;
    if (!asked) throw new Error('the sweep asked for no approval');
    // The runs ask (record the approval, email the link) just after the sweep hands them over.
    let records: { approvalId: string; csrfToken: string }[] = [];
    for (const until = Date.now() + 120_000; records.length < asked;) {
      if (Date.now() > until) throw new Error(`${records.length} of ${asked} approvals recorded after 120 s`);
      await new Promise((resolve) => setTimeout(resolve, 500));
      records = [];
      const pages = paginateScan(
        { client: awsClients().dynamo },
        {
          TableName: tableName('Approvals'),
          ProjectionExpression: 'approvalId, csrfToken, #s',
          ExpressionAttributeNames: { '#s': 'state' },
        },
      );
      for await (const page of pages)
        for (const item of page.Items ?? [])
          if (item.state === 'PENDING') records.push(item as (typeof records)[number]);
    }
    line('approvals waiting (not counted)', fmt(records.length));
    const url = (record: (typeof records)[number]) => `${stack.webUrl}/approvals/${record.approvalId}`;
    // Warm-up, both ways, on records the measured phases leave alone: the handler's first load, the JIT,
    // and the modules the SDK loads on a client's first request (the first decision otherwise waits ~0.5 s).
    const warm = records.splice(0, 100);
    const warmDecided = warm.slice(50);
    for (const record of warm.slice(0, 50)) await (await fetch(url(record))).text();
    for (const record of warmDecided) {
      const body = new URLSearchParams({ decision: 'approve', csrf: record.csrfToken });
      await (await fetch(url(record), { method: 'POST', body })).text();
    }

    // The clients run in their own process: in this one they would share the server's event loop.
    // Not spawnSync: this process serves the requests while the clients run.
    const load = async (label: string, mode: 'get' | 'post', targets: { url: string; body?: string }[]) => {
      const file = join(dataDir, `${label.replace(/\W/g, '-')}.json`);
      writeFileSync(file, JSON.stringify({ mode, targets }));
      // CPU of the server's side over the load (this process and the emulators, not the clients).
      const cpuStart = process.cpuUsage();
      const emulators = descendants();
      const emulatorsCpuStart = emulators.map((pid) => cpuSeconds(pid));
      const child = spawn(
        process.execPath,
        [
          fileURLToPath(new URL('./http-load.mjs', import.meta.url)),
          file,
          String(clients),
          String(seconds),
          String(WARMUP_SECONDS),
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
      const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
      if (code !== 0) throw new Error(`load generator failed (exit ${code})`);
      const figures = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
        count: number;
        seconds: number;
        p50: number;
        p99: number;
        statuses: Record<string, number>;
        warmup: { count: number; p99: number };
      };
      line(`${label}: requests`, `${fmt(figures.count)} (${fmt(figures.count / figures.seconds)}/s)`);
      line(
        `${label}: p50 / p99 (ms)`,
        `${fmt(figures.p50, 1)} / ${fmt(figures.p99, 1)}`,
        '< 200',
        figures.p99 < 200,
      );
      line(`${label}: warm-up ${WARMUP_SECONDS} s p99 (ms)`, fmt(figures.warmup.p99, 1));
      const cpu = process.cpuUsage(cpuStart);
      printCpuBounds(
        line,
        'request',
        figures.count + figures.warmup.count,
        (cpu.user + cpu.system) / 1e6,
        emulators.reduce((sum, pid, i) => sum + cpuSeconds(pid) - emulatorsCpuStart[i]!, 0),
        `${label}: `,
        handlerThreadsOfMachine(),
      );
      line(
        `${label}: statuses`,
        Object.entries(figures.statuses)
          .map(([status, count]) => `${status}: ${count}`)
          .join(', '),
      );
      return figures;
    };
    await load(
      'GET page',
      'get',
      records.map((record) => ({ url: url(record) })),
    );
    const decided = await load(
      'POST decision',
      'post',
      records.map((record) => ({
        url: url(record),
        body: new URLSearchParams({ decision: 'approve', csrf: record.csrfToken }).toString(),
      })),
    );
    // The approvers had their answer; the runs their decisions resumed (the stage granted, its letter sent)
    // go on after: the time until the last one ends is part of the figure.
    const resumed = warmDecided.length + decided.count + decided.warmup.count;
    const finished = () =>
      stack.engine.listExecutions({
        stateMachineArn: stateMachineArn('CaseApproval'),
        statusFilter: 'SUCCEEDED',
      }).length;
    const drainStart = performance.now();
    let ended = finished();
    for (const until = Date.now() + 300_000; ended < resumed && Date.now() < until; ended = finished())
      await new Promise((resolve) => setTimeout(resolve, 200));
    line(
      'POST decision: resumed runs ended',
      `${fmt(ended)} of ${fmt(resumed)}, the last ${((performance.now() - drainStart) / 1000).toFixed(1)} s after the load`,
    );
  } finally {
    await stack.stop();
  }
}
