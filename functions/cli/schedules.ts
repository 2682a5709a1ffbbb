/**
 * `dondoc schedules list|show|set|pause|resume|run-now|runs`: when each recurring process runs.
 *
 *   dondoc schedules list [--json]
 *   dondoc schedules show PROCESS [--json]                  (with its change history)
 *   dondoc schedules set PROCESS [--cron EXPR] [--time-zone TZ] [--window MINUTES] [--input JSON]
 *                        --version N --by ADMIN_ID --reason TEXT
 *   dondoc schedules pause|resume PROCESS --version N --by ADMIN_ID --reason TEXT
 *   dondoc schedules run-now PROCESS --by ADMIN_ID
 *   dondoc schedules runs PROCESS [--json]                  (recent runs with status and figures)
 *
 * `--version` is the version you read (list/show print it): a change made meanwhile by someone else is
 * refused rather than overwritten. `--local` points at the embedded stack `npm start` serves. Bad input:
 * exit 2 with the reason, nothing changed.
 */
import { ScheduleEngineMissingError, localTime, scheduleServiceFromEnv } from '../schedules/engine.ts';
import { StaleVersionError, UnknownProcessError } from '../schedules/model.ts';
import { InvalidChangeError, type ScheduleView } from '../schedules/service.ts';
import { UsageError, parseVerb, type CliIo } from './io.ts';

const USAGE = `usage:
  dondoc schedules list [--json] [--local]
  dondoc schedules show PROCESS [--json] [--local]
  dondoc schedules set PROCESS [--cron EXPR] [--time-zone TZ] [--window MINUTES] [--input JSON]
                       --version N --by ADMIN_ID --reason TEXT [--local]
  dondoc schedules pause|resume PROCESS --version N --by ADMIN_ID --reason TEXT [--local]
  dondoc schedules run-now PROCESS --by ADMIN_ID [--local]
  dondoc schedules runs PROCESS [--json] [--local]`;

const OPTIONS = {
  json: { type: 'boolean' },
  local: { type: 'boolean' },
  cron: { type: 'string' },
  'time-zone': { type: 'string' },
  window: { type: 'string' },
  input: { type: 'string' },
  version: { type: 'string' },
  by: { type: 'string' },
  reason: { type: 'string' },
} as const;
type Option = keyof typeof OPTIONS;
const CHANGE: Option[] = ['version', 'by', 'reason', 'local'];
const ALLOWED: Record<string, Option[]> = {
  list: ['json', 'local'],
  show: ['json', 'local'],
  set: ['cron', 'time-zone', 'window', 'input', ...CHANGE],
  pause: CHANGE,
  resume: CHANGE,
  'run-now': ['by', 'local'],
  runs: ['json', 'local'],
};

/** A number option: absent stays absent (the change check then names it), anything else must be whole. */
function whole(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new UsageError(`--${name} must be a whole number, not '${value}'`);
  return Number(value);
}

function jsonObject(value: string | undefined): Record<string, unknown> | undefined {
  if (value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch (error) {
    throw new UsageError(`--input is not valid JSON: ${(error as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new UsageError('--input must be a JSON object, e.g. {"period":"2026-11"}');
  return parsed as Record<string, unknown>;
}

function describe(view: ScheduleView): string {
  const runs = view.nextRuns.map((run) => localTime(run, view.timeZone)).join(', ');
  return [
    `${view.processId.padEnd(16)} ${view.enabled ? 'đang chạy' : 'tạm dừng '}  ${view.cron.padEnd(22)} ` +
      `${view.timeZone}  v${view.version}`,
    `  ${view.title.vi}: ${view.description.vi}`,
    `  lần chạy tới: ${view.enabled ? runs : '(tạm dừng)'}`,
    `  sửa lần cuối: ${view.updatedBy} ${view.updatedAt}, lý do: ${view.reason}`,
  ].join('\n');
}

export async function schedulesCommand(args: string[], io: CliIo): Promise<void> {
  const [verb, ...rest] = args;
  if (!verb || !(verb in ALLOWED)) throw new UsageError(USAGE);
  const { values, positionals } = parseVerb(verb, rest, OPTIONS, ALLOWED, USAGE);
  const service = scheduleServiceFromEnv();
  const print = (text: string) => io.stdout(`${text}\n`);
  const json = (value: unknown) => print(JSON.stringify(value, null, 2));

  try {
    if (verb === 'list') {
      if (positionals.length > 0) throw new UsageError(USAGE);
      const views = await service.list();
      return values.json ? json(views) : print(views.map(describe).join('\n\n'));
    }
    const [processId, ...extra] = positionals;
    if (!processId || extra.length > 0) throw new UsageError(`one PROCESS is needed\n${USAGE}`);

    if (verb === 'show') {
      const view = await service.show(processId);
      if (values.json) return json(view);
      print(describe(view));
      for (const change of view.history) {
        print(`  v${change.version} ${change.at} ${change.by}: ${change.reason}`);
      }
      return;
    }
    if (verb === 'runs') {
      const runs = await service.executions(processId);
      if (values.json) return json(runs);
      if (runs.length === 0) return print('chưa có lần chạy nào');
      for (const run of runs) {
        const figures = run.outcome
          ? Object.entries(run.outcome)
              .map(([key, value]) => `${key} ${value}`)
              .join(', ')
          : (run.error ?? '');
        print(`${run.startDate}  ${run.status.padEnd(9)}  ${run.name}  ${figures}`);
      }
      return;
    }
    if (verb === 'run-now') {
      const started = await service.runNow(processId, values.by?.trim() ?? '');
      return print(`đã bắt đầu ${started.name}\n${started.executionArn}`);
    }
    const change = {
      version: whole(values.version, 'version'),
      by: values.by,
      reason: values.reason,
    };
    const view =
      verb === 'pause'
        ? await service.update(processId, { ...change, enabled: false })
        : verb === 'resume'
          ? await service.update(processId, { ...change, enabled: true })
          : await service.update(processId, {
              ...change,
              cron: values.cron,
              timeZone: values['time-zone'],
              flexibleWindowMinutes: whole(values.window, 'window'),
              input: jsonObject(values.input),
            });
    print(describe(view));
  } catch (error) {
    if (
      error instanceof UnknownProcessError ||
      error instanceof InvalidChangeError ||
      error instanceof StaleVersionError ||
      error instanceof ScheduleEngineMissingError
    ) {
      throw new UsageError(error.message);
    }
    throw error;
  }
}
