/**
 * `npm run bench`: the issue's throughput targets, printed as figures with PASS/FAIL (a report: exits 0).
 *
 *   npm run bench -- [--only engine|run|sweep|approvals|agencies] [--employers N] [--engine-employers N] [--seconds S]
 *                    [--cases N] [--clients N] [--approvals N]
 *                    [--cpu-prof-dir DIR]
 *
 * (--cases: the sweep's open cases; --approvals: the cases whose approvals the approval endpoints serve.)
 *
 * engine: `computeStatement` alone over demo employers with 14 months of history, requests built once
 *         outside the timing; statements per second in one process.
 * run:    the whole monthly run on the embedded stack (a data folder seeded by another process, then fresh
 *         processes, as `npm start` on a seeded folder), started
 *         through the Step Functions API; employers/s end to end, state transitions per 1,000 employers
 *         (the engine's execution record), peak RSS of this process and every child (the emulators), and
 *         the execution's counts. --cpu-prof-dir writes a .cpuprofile of the run only (not the seeding) for
 *         this process and the emulator process; summarise with `bench/cpuprofile-summary.ts`.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { benchAgencyReview, benchAgencyReviewOnStack } from './agencies.ts';
import { benchApprovals, benchSweep } from './escalation.ts';
import { cpuSeconds, descendants, printCpuBounds, resetPeak, seedInChild, statusKb } from './processes.ts';
import { fmt } from './report.ts';

// A full collection between seeding and the run, so the seed data held here does not count in its peak.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const { values } = parseArgs({
  options: {
    only: { type: 'string' },
    employers: { type: 'string', default: '10000' },
    'engine-employers': { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '4' },
    'cpu-prof-dir': { type: 'string' },
    cases: { type: 'string', default: '10000' },
    clients: { type: 'string', default: '50' },
    approvals: { type: 'string', default: '4000' },
  },
});
const only = values.only;
if (only !== undefined && !['engine', 'run', 'sweep', 'approvals', 'agencies'].includes(only))
  throw new Error('--only engine|run|sweep|approvals|agencies');
const runEmployers = Number(values.employers);
const engineEmployers = Number(values['engine-employers']);
const seconds = Number(values.seconds);
const AS_OF = '2026-11-22';

// Before any handler module loads (config is read once per process). Handlers log JSON for CloudWatch;
// the bench wants only its figures. The emulator has no sending quota: the production default (14/s, the
// SES sandbox) would make the run measure the limiter's sleep, not the system.
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
process.env.SES_MAX_SEND_RATE ??= '100000';

const TARGETS = {
  statementsPerSecond: 20_000,
  employersPerSecond: 250,
  peakRssMb: 1536,
  transitionsPer1000: 50,
};

const load = () =>
  `load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`;
const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
function line(label: string, value: string, target?: string, ok?: boolean): void {
  console.log(
    `  ${label.padEnd(34)} ${value.padStart(16)}${target ? `   target ${target.padEnd(10)} ${verdict(ok!)}` : ''}`,
  );
}

// ---- engine ---------------------------------------------------------------------------------------------

async function benchEngine(): Promise<void> {
  const { generateDemoProvince, storedLedgerOf } = await import('../infra/local/seed.ts');
  const { computeStatement } = await import('../functions/c12/account.ts');
  const { employerRecordSchema, ledgerToRequest, LedgerValidationError } =
    await import('../functions/c12/ledger.ts');
  const { lastClosedPeriod } = await import('../functions/shared/calendar.ts');
  type Request = Parameters<typeof computeStatement>[0];

  console.log(
    `\nengine: computeStatement, ${engineEmployers} demo employers, 14 months of history (${load()})`,
  );
  const province = generateDemoProvince({ employers: engineEmployers, asOf: AS_OF, months: 14 });
  const period = lastClosedPeriod(AS_OF);
  // Rows as the repository's Query returns them (stored form): per employer, in entryKey order.
  type Row = Parameters<typeof ledgerToRequest>[1][number];
  const rowsOf = new Map<string, Row[]>();
  for (const row of storedLedgerOf(province) as (Row & { employerId: string })[]) {
    const rows = rowsOf.get(row.employerId) ?? [];
    rows.push(row);
    rowsOf.set(row.employerId, rows);
  }
  const requests: Request[] = [];
  let quarantined = 0;
  for (const item of province.employers) {
    const employer = employerRecordSchema.safeParse(item);
    if (!employer.success) {
      quarantined++;
      continue;
    }
    const rows = (rowsOf.get(item.employerId) ?? []).sort((a, b) => (a.entryKey < b.entryKey ? -1 : 1));
    try {
      requests.push(ledgerToRequest(employer.data, rows, period));
    } catch (error) {
      if (!(error instanceof LedgerValidationError)) throw error;
      quarantined++;
    }
  }
  // Warm-up so the figure is the steady state a long batch sees, not the JIT's first passes.
  const warmUntil = performance.now() + 500;
  for (let i = 0; performance.now() < warmUntil; i++) computeStatement(requests[i % requests.length]!);

  // Timed in passes over every request; the figure is the median pass, so a noisy neighbour on a shared
  // machine (passes here vary by up to 2x) moves it less than a plain average would. All passes are shown.
  let count = 0;
  let sink = 0;
  const passRates: number[] = [];
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  const until = started + seconds * 1000;
  while (performance.now() < until) {
    const passStart = performance.now();
    for (const request of requests) sink += computeStatement(request).flags.length;
    passRates.push(requests.length / ((performance.now() - passStart) / 1000));
    count += requests.length;
  }
  const elapsed = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const sortedRates = [...passRates].sort((a, b) => a - b);
  const perSecond = sortedRates[Math.floor(sortedRates.length / 2)]!;
  const perCpuSecond = count / ((cpu.user + cpu.system) / 1e6);
  line('requests (quarantined left out)', `${requests.length} (${quarantined})`);
  line('statements computed', `${fmt(count)} in ${elapsed.toFixed(1)} s`);
  line(
    'statements/s (median pass)',
    fmt(perSecond),
    `>= ${fmt(TARGETS.statementsPerSecond)}`,
    perSecond >= TARGETS.statementsPerSecond,
  );
  line('  passes: slowest / fastest', `${fmt(sortedRates[0]!)} / ${fmt(sortedRates.at(-1)!)}`);
  line('statements/s (whole time)', fmt(count / elapsed));
  line('statements per CPU second', fmt(perCpuSecond));
  line('µs per statement (median pass)', fmt(1e6 / perSecond, 1));
  if (sink < 0) console.log(sink); // keeps the results alive
}

// ---- memory ---------------------------------------------------------------------------------------------

// ---- run ------------------------------------------------------------------------------------------------

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Gone already.
  }
}

async function profileStart(): Promise<Session | undefined> {
  if (!values['cpu-prof-dir']) return undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 1000 });
  await session.post('Profiler.start');
  return session;
}

async function profileStop(session: Session | undefined, name: string): Promise<void> {
  if (!session) return;
  const { profile } = await session.post('Profiler.stop');
  const dir = resolve(values['cpu-prof-dir']!);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.cpuprofile`), JSON.stringify(profile));
  session.disconnect();
}

async function benchRun(): Promise<void> {
  const { FREE_PORTS, handlerThreadsOfMachine, startLocalStack } = await import('../infra/local/stack.ts');
  const { stateMachineArn } = await import('../infra/local/sfn-engine.ts');
  const { awsClients } = await import('../functions/shared/aws.ts');
  const { lastClosedPeriod } = await import('../functions/shared/calendar.ts');
  const { DescribeExecutionCommand, StartExecutionCommand } = await import('@aws-sdk/client-sfn');
  type Output = import('../functions/c12/handlers/summarize-run.ts').MonthlyRunOutput;

  console.log(`\nrun: monthly C12-TS run, ${fmt(runEmployers)} employers, embedded stack (${load()})`);
  console.log(
    `  config: BATCH_SIZE=${process.env.BATCH_SIZE ?? '200 (default)'} SES_MAX_SEND_RATE=${process.env.SES_MAX_SEND_RATE}`,
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'dondoc-bench-'));
  if (values['cpu-prof-dir']) {
    mkdirSync(resolve(values['cpu-prof-dir']), { recursive: true });
    process.env.DONDOC_EMULATORS_CPU_PROF_DIR = resolve(values['cpu-prof-dir']);
  }
  const handlerThreads = handlerThreadsOfMachine();
  console.log(
    `  emulators: ${process.env.DONDOC_EMULATORS_IN_PROCESS === '1' ? 'in this process' : 'child process'}; ` +
      `handlers: ${handlerThreads ? `${handlerThreads} threads` : "the engine's thread"} (DONDOC_HANDLER_THREADS)`,
  );
  // Seeded by another process: the run starts, as `npm start` does on a seeded folder, from fresh
  // processes, so neither the seed data nor the emulators' write-time state counts in its peak memory.
  const written = seedInChild<{ items: number; itemsPerSecond: number; seconds: number }>('seed-data.ts', [
    dataDir,
    String(runEmployers),
    AS_OF,
  ]);
  line('seeding (not counted)', `${written.seconds.toFixed(1)} s`);
  line('  items written', `${fmt(written.items)} (${fmt(written.itemsPerSecond)}/s)`);

  const stack = await startLocalStack({ dataDir, ports: FREE_PORTS, handlerThreads });
  try {
    gc();
    // Listing /proc costs CPU in the measured process: the process tree is listed once a second only.
    let tree = [process.pid, ...descendants()];
    let sampled = 0;
    const pids = () => (++sampled % 5 === 0 ? (tree = [process.pid, ...descendants()]) : tree);
    for (const pid of tree) resetPeak(pid);
    const peakOf = new Map<number, number>();
    let peakSampledSum = 0;
    let peakHeapUsed = 0;
    let peakHeapTotal = 0;
    let peakExternal = 0;
    const sample = () => {
      const usage = process.memoryUsage();
      peakHeapUsed = Math.max(peakHeapUsed, usage.heapUsed);
      peakHeapTotal = Math.max(peakHeapTotal, usage.heapTotal);
      peakExternal = Math.max(peakExternal, usage.external);
      let sum = 0;
      for (const pid of pids()) {
        const rss = pid === process.pid ? process.memoryUsage().rss / 1024 : statusKb(pid, 'VmRSS');
        const hwm = Math.max(rss, statusKb(pid, 'VmHWM'));
        peakOf.set(pid, Math.max(peakOf.get(pid) ?? 0, hwm));
        sum += rss;
      }
      peakSampledSum = Math.max(peakSampledSum, sum);
    };
    const sampler = setInterval(sample, 200);

    const profiler = await profileStart();
    // The emulators' child profiles itself between two SIGUSR2 (see infra/local/emulators-child.ts).
    const profiledChildren = profiler ? tree.filter((pid) => pid !== process.pid) : [];
    for (const pid of profiledChildren) signal(pid, 'SIGUSR2');
    const { sfn } = awsClients();
    const cpuStart = process.cpuUsage();
    const childCpuStart = new Map(
      tree.filter((pid) => pid !== process.pid).map((pid) => [pid, cpuSeconds(pid)]),
    );
    const started = performance.now();
    const period = lastClosedPeriod(AS_OF);
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: stateMachineArn('MonthlyC12Notices'),
        name: `bench-${period}-${Date.now()}`,
        input: JSON.stringify({ period, asOf: AS_OF }),
      }),
    );
    let execution;
    for (;;) {
      execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      if (execution.status !== 'RUNNING') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const runSeconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuStart);
    let childCpu = 0;
    for (const [pid, before] of childCpuStart) childCpu += cpuSeconds(pid) - before;
    clearInterval(sampler);
    sample();
    await profileStop(profiler, 'run-main');
    for (const pid of profiledChildren) signal(pid, 'SIGUSR2');
    if (profiledChildren.length > 0) await new Promise((r) => setTimeout(r, 3000));

    const record = stack.engine.describeExecution(executionArn!);
    const output = JSON.parse(execution.output ?? '{}') as Partial<Output>;
    const employers = output.employers ?? 0;
    const perSecond = employers / runSeconds;
    const transitionsPer1000 = (record.transitions / Math.max(1, employers)) * 1000;
    const peakSumMb = [...peakOf.values()].reduce((a, b) => a + b, 0) / 1024;
    if (execution.status !== 'SUCCEEDED')
      line('execution', `${execution.status} ${execution.error ?? ''} ${execution.cause ?? ''}`);
    line('run time', `${runSeconds.toFixed(1)} s`);
    line(
      'employers/s (end to end)',
      fmt(perSecond, 1),
      `>= ${TARGETS.employersPerSecond}`,
      perSecond >= TARGETS.employersPerSecond,
    );
    line(
      'transitions per 1,000 employers',
      `${fmt(transitionsPer1000, 1)} (${record.transitions})`,
      `<= ${TARGETS.transitionsPer1000}`,
      transitionsPer1000 <= TARGETS.transitionsPer1000,
    );
    line(
      'peak RSS, all processes (MB)',
      fmt(peakSumMb),
      `< ${TARGETS.peakRssMb}`,
      peakSumMb < TARGETS.peakRssMb,
    );
    for (const [pid, kb] of peakOf)
      line(`  pid ${pid}${pid === process.pid ? ' (handlers, engine)' : ''}`, `${fmt(kb / 1024)} MB`);
    line('  peak of sampled sum (MB)', fmt(peakSampledSum / 1024));
    line(
      '  handlers: V8 heap used/total, external',
      `${fmt(peakHeapUsed / 2 ** 20)}/${fmt(peakHeapTotal / 2 ** 20)}, ${fmt(peakExternal / 2 ** 20)} MB`,
    );
    const mainCpu = (cpu.user + cpu.system) / 1e6;
    line('main process CPU (user+sys)', `${mainCpu.toFixed(1)} s`);
    line('emulator processes CPU', `${childCpu.toFixed(1)} s`);
    printCpuBounds(line, 'employer', employers, mainCpu, childCpu, '', handlerThreads);
    line('employers', fmt(employers));
    line('sent', fmt(output.sent ?? 0));
    line('postal', fmt(output.postal ?? 0));
    line('quarantined', fmt(output.quarantined ?? 0));
    line('in arrears', fmt(output.inArrears ?? 0));
    line('rejected / duplicates', `${output.rejected ?? 0} / ${output.possibleDuplicates ?? 0}`);
    console.log(`  (${load()})`);
  } finally {
    await stack.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

console.log(`dondoc bench: node ${process.version}, ${load()}`);
if (!only || only === 'engine') await benchEngine();
if (!only || only === 'run') await benchRun();
if (!only || only === 'sweep') await benchSweep(line, Number(values.cases), '2026-12-02');
if (!only || only === 'approvals')
  await benchApprovals(line, Number(values.clients), seconds, Number(values.approvals), '2026-12-02');
if (!only || only === 'agencies') {
  // The stack first: the pure pass keeps 1.4 GB of generated records, which would count in its peaks.
  await benchAgencyReviewOnStack(line);
  benchAgencyReview(line);
}
process.exitCode = 0;
