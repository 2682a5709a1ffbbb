/**
 * `npm start`: the embedded default. Starts the emulators and the local Step Functions engine, seeds the
 * demo province when the data folder is empty, runs the monthly C12-TS workflow for the last closed month
 * through the Step Functions API (as the cloud scheduler would), shows its progress, and keeps serving the
 * mailbox page, the approval links, the admin pages (with the admin token it prints) and the local scheduler
 * firing the schedule records until Ctrl+C.
 *
 * Options: --data-dir DIR (default .data), --as-of YYYY-MM-DD (the demo's today), --employers N (demo size),
 * --free-ports (tests), --exit-when-done (tests and benchmarks).
 */
import './polyfills.ts';
import { parseArgs } from 'node:util';
import { DescribeExecutionCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { awsClients } from '../../functions/shared/aws.ts';
import { lastClosedPeriod, todayInVietnam } from '../../functions/shared/calendar.ts';
import { reasonInVietnamese } from '../../functions/shared/reasons.ts';
import { C12Repository } from '../../functions/c12/repository.ts';
import type { MonthlyRunOutput } from '../../functions/c12/handlers/summarize-run.ts';
import { runIdFor } from '../../functions/c12/run.ts';
import { summarizeRunItems } from '../../functions/c12/summary.ts';
import { AgencyRepository } from '../../functions/agencies/repository.ts';
import { generateAgencyProvince } from './seed-agencies.ts';
import { generateDemoProvince, isProvinceSeeded, writeDemoProvince } from './seed.ts';
import { stateMachineArn } from './sfn-engine.ts';
import { IncompatibleDataError } from './emulators.ts';
import {
  DEFAULT_PORTS,
  FREE_PORTS,
  handlerThreadsOfMachine,
  startLocalStack,
  type LocalStack,
} from './stack.ts';

const WORKFLOW = 'MonthlyC12Notices';

export interface StartOptions {
  dataDir: string;
  asOf: string;
  employers: number;
  freePorts: boolean;
  exitWhenDone: boolean;
  log?: (line: string) => void;
  progress?: (line: string) => void;
}

export function parseStartArgs(argv: string[]): StartOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      'data-dir': { type: 'string', default: '.data' },
      'as-of': { type: 'string' },
      employers: { type: 'string', default: '300' },
      'free-ports': { type: 'boolean', default: false },
      'exit-when-done': { type: 'boolean', default: false },
    },
  });
  const asOf = values['as-of'] ?? todayInVietnam();
  if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new Error(`--as-of must be a date YYYY-MM-DD, got ${asOf}`);
  const employers = Number(values.employers);
  if (!Number.isInteger(employers) || employers < 1)
    throw new Error(`--employers must be a positive integer`);
  return {
    dataDir: values['data-dir']!,
    asOf,
    employers,
    freePorts: values['free-ports']!,
    exitWhenDone: values['exit-when-done']!,
  };
}

function formatProgress(progress: {
  done: number;
  total: number;
  sent: number;
  arrears: number;
  quarantined: number;
}) {
  const width = String(progress.total).length;
  return (
    `Thông báo C12-TS: ${String(progress.done).padStart(width)}/${progress.total} đơn vị` +
    ` | đã gửi ${progress.sent} | nợ đọng ${progress.arrears} | cách ly ${progress.quarantined}`
  );
}

async function waitForExecution(
  sfn: SFNClient,
  repository: C12Repository,
  executionArn: string,
  runId: (input: string) => string,
  progress: (line: string) => void,
) {
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const items = await repository.runItems(runId(execution.input ?? '{}'));
    const run = items.find((item) => item.itemKey === 'RUN');
    if (run) {
      const summary = summarizeRunItems(String(run.runId), String(run.period), items);
      progress(
        formatProgress({
          done: summary.employers,
          total: Number(run.totalEmployers ?? 0),
          sent: summary.sent,
          arrears: summary.inArrears,
          quarantined: summary.quarantined,
        }),
      );
    }
    if (execution.status !== 'RUNNING') return execution;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Runs the main job; resolves with the stack (still serving) and the finished execution. */
export async function start(options: StartOptions) {
  const log = options.log ?? ((line: string) => console.log(line));
  const progress = options.progress ?? log;
  const stack: LocalStack = await startLocalStack({
    dataDir: options.dataDir,
    ports: options.freePorts ? FREE_PORTS : DEFAULT_PORTS,
    // The schedules fire while npm start keeps serving; a run that exits when done needs none.
    scheduler: !options.exitWhenDone,
    handlerThreads: handlerThreadsOfMachine(),
  });
  const { dynamo, sfn } = awsClients();
  const repository = new C12Repository(dynamo);

  if (!(await isProvinceSeeded(dynamo))) {
    log(`Dữ liệu trống: tạo tỉnh mẫu với ${options.employers} đơn vị (ngày ${options.asOf})…`);
    const province = generateDemoProvince({ employers: options.employers, asOf: options.asOf });
    const report = await writeDemoProvince(dynamo, province);
    log(`Đã ghi ${report.items} bản ghi.`);
  }

  const agencies = new AgencyRepository(dynamo);
  if (!(await agencies.isSeeded())) {
    const written = await agencies.writeProvince(generateAgencyProvince({ asOf: options.asOf }));
    log(`Tạo mẫu 20 tổ chức dịch vụ thu, 300 nhân viên thu, 10.000 người tham gia (${written} bản ghi).`);
  }

  const period = lastClosedPeriod(options.asOf);
  let executionArn = stack.resumed.find((arn) =>
    arn.includes(`:${stateMachineArn(WORKFLOW).split(':').at(-1)}:`),
  );
  if (executionArn) {
    log(`Tiếp tục lượt chạy bị gián đoạn: ${executionArn}`);
  } else {
    const started = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: stateMachineArn(WORKFLOW),
        name: `c12-${period}-${Date.now()}`,
        input: JSON.stringify({ period, asOf: options.asOf }),
      }),
    );
    executionArn = started.executionArn!;
    log(`Chạy thông báo C12-TS tháng ${period}: ${executionArn}`);
  }

  const execution = await waitForExecution(
    sfn,
    repository,
    executionArn,
    (input) => runIdFor((JSON.parse(input) as { period?: string }).period ?? period, executionArn!),
    progress,
  );
  if (execution.status === 'SUCCEEDED') {
    const summary = JSON.parse(execution.output ?? '{}') as MonthlyRunOutput;
    log(
      [
        '',
        `Xong tháng ${period}: ${summary.employers} đơn vị, đã gửi ${summary.sent} thông báo` +
          ` (${summary.alreadyDelivered} đã gửi từ trước), ${summary.postal} gửi bưu điện,` +
          ` ${summary.inArrears} nợ đọng, ${summary.quarantined} cách ly, ${summary.rejected} địa chỉ bị từ chối,` +
          ` ${summary.possibleDuplicates} có thể trùng.`,
        ...summary.quarantinedEmployers.map(
          (entry) => `  cách ly ${entry.employerId}: ${reasonInVietnamese(entry.reason ?? '')}`,
        ),
      ].join('\n'),
    );
  } else {
    log(
      `Lượt chạy kết thúc với trạng thái ${execution.status}: ${execution.error ?? ''} ${execution.cause ?? ''}`,
    );
  }
  log(`Hộp thư (SES cục bộ): ${stack.mailboxUrl}`);
  log(`Trang quản trị lịch chạy: ${stack.webUrl}/admin/login?token=${stack.adminToken}`);
  log(`Hồ sơ đôn đốc nợ (sau khi đăng nhập): ${stack.webUrl}/admin/cases`);
  log(`API quản trị: ${stack.webUrl}/admin/api/schedules (Authorization: Bearer ${stack.adminToken})`);
  return { stack, execution, period };
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  const options = parseStartArgs(process.argv.slice(2));
  // Handlers log structured JSON for CloudWatch; on a terminal only problems should cut into the progress
  // line (quarantined employers are in the summary). POWERTOOLS_LOG_LEVEL=INFO shows everything.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  // The pinned SDK supports Node 20; its notice concerns SDK releases after January 2027.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const tty = process.stdout.isTTY;
  let lastLine = '';
  const started = await start({
    ...options,
    // On a terminal the progress line rewrites itself; in a log, only changes are printed.
    progress: (line) => {
      if (line === lastLine) return;
      lastLine = line;
      if (tty) process.stdout.write(`\r${line}`);
      else console.log(line);
    },
  }).catch((error: unknown) => {
    if (!(error instanceof IncompatibleDataError)) throw error;
    console.error(`Không dùng được thư mục dữ liệu ${options.dataDir}: ${error.message}`);
    console.error(`Xoá nó rồi chạy lại: rm -rf ${options.dataDir} && npm start`);
    process.exit(2);
  });
  const { stack, execution } = started;
  if (options.exitWhenDone) {
    await stack.stop();
    process.exitCode = execution.status === 'SUCCEEDED' ? 0 : 1;
  } else {
    console.log('Đang phục vụ. Nhấn Ctrl+C để dừng.');
    const shutdown = () => void stack.stop().then(() => process.exit(0));
    process.on('SIGINT', shutdown);
    process.on('SIGTERM', shutdown);
  }
}
