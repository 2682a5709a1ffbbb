/**
 * `dondoc cases list|show|pause|resume`: debt cases and their audit trail, from the command line.
 *
 *   dondoc cases list [--status OPEN|PAUSED|CLOSED] [--officer ID] [--json]
 *   dondoc cases show EMPLOYER_ID [--json]
 *   dondoc cases pause EMPLOYER_ID --reason FORCE_MAJEURE|DISPUTE|LEGAL_SUSPENSION --by OFFICER_ID [--note TEXT]
 *   dondoc cases resume EMPLOYER_ID --by OFFICER_ID [--note TEXT]
 *   dondoc cases evaluate EMPLOYER_ID [--as-of YYYY-MM-DD]   (runs the escalation for that case now)
 *
 * It reads and writes the tables through the standard AWS_ENDPOINT_URL_* variables; `--local` points them
 * at the embedded stack `npm start` serves on this machine. Bad input: exit 2 with the reason, nothing changed.
 */
import { formatVnd } from '../c12/notice/format.ts';
import { daysLate } from '../escalation/ladder.ts';
import {
  CaseNotFoundError,
  CaseStateError,
  EscalationRepository,
  type EscalationCase,
} from '../escalation/repository.ts';
import { DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { awsClients } from '../shared/aws.ts';
import { appConfig } from '../shared/config.ts';
import { todayInVietnam } from '../shared/calendar.ts';
import { UsageError, parseVerb, type CliIo } from './io.ts';

const STATUSES = ['OPEN', 'PAUSED', 'CLOSED'] as const;
const REASONS = ['FORCE_MAJEURE', 'DISPUTE', 'LEGAL_SUSPENSION'] as const;
const EMPLOYER_ID = /^[A-Za-z0-9]+$/;

const USAGE = `usage:
  dondoc cases list [--status OPEN|PAUSED|CLOSED] [--officer ID] [--json] [--local]
  dondoc cases show EMPLOYER_ID [--json] [--local]
  dondoc cases pause EMPLOYER_ID --reason ${REASONS.join('|')} --by OFFICER_ID [--note TEXT] [--local]
  dondoc cases resume EMPLOYER_ID --by OFFICER_ID [--note TEXT] [--local]
  dondoc cases evaluate EMPLOYER_ID [--as-of YYYY-MM-DD] [--local]`;

function line(item: EscalationCase, today: string): string {
  const overdue = item.overduePrincipal + item.overdueInterest;
  const late = daysLate(item.oldestOverdueDueDate, today, item.pauses ?? []);
  return [
    item.employerId.padEnd(10),
    item.status.padEnd(7),
    item.stage.padEnd(18),
    formatVnd(overdue).padStart(18),
    `${late} ngày`.padStart(9),
    (item.officerId ?? '-').padEnd(6),
    item.caseId,
  ].join('  ');
}

const OPTIONS = {
  status: { type: 'string' },
  officer: { type: 'string' },
  reason: { type: 'string' },
  by: { type: 'string' },
  note: { type: 'string' },
  'as-of': { type: 'string' },
  json: { type: 'boolean' },
  local: { type: 'boolean' },
} as const;
const ALLOWED: Record<string, (keyof typeof OPTIONS)[]> = {
  list: ['status', 'officer', 'json', 'local'],
  show: ['json', 'local'],
  pause: ['reason', 'by', 'note', 'local'],
  resume: ['by', 'note', 'local'],
  evaluate: ['as-of', 'json', 'local'],
};

function employerArg(positionals: string[]): string {
  const [employerId, ...rest] = positionals;
  if (!employerId || rest.length > 0) throw new UsageError(`one EMPLOYER_ID (mã đơn vị) is needed\n${USAGE}`);
  if (!EMPLOYER_ID.test(employerId))
    throw new UsageError(`'${employerId}' is not a mã đơn vị (letters and digits)`);
  return employerId;
}

function required(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '')
    throw new UsageError(`--${name} is required\n${USAGE}`);
  return value.trim();
}

const OUTCOME_WORDS: Record<string, string> = {
  CLOSED: 'kết thúc (đã nộp đủ)',
  CLIMBED: 'chuyển bước',
  APPROVAL_REQUESTED: 'đã gửi đề nghị phê duyệt',
  WAITING: 'chưa đến bước tiếp theo',
  PAUSED: 'đang tạm dừng',
  AWAITING_APPROVAL: 'đang chờ phê duyệt',
  SKIPPED: 'bỏ qua (dữ liệu lỗi, xem nhật ký)',
  FAILED: 'lỗi khi xét (xem nhật ký)',
};

function describeTotals(totals: Record<string, number>): string {
  const said = Object.entries(totals)
    .filter(([outcome, count]) => outcome !== 'evaluated' && count > 0)
    .map(([outcome]) => OUTCOME_WORDS[outcome] ?? outcome);
  return said.length ? said.join(', ') : 'không có hồ sơ đang mở';
}

/** Starts the escalation workflow for one case and waits for its outcome. */
async function runEscalation(input: { employerId: string; asOf: string }): Promise<Record<string, number>> {
  const { sfn } = awsClients();
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({
      stateMachineArn: appConfig().DEBT_ESCALATION_STATE_MACHINE_ARN,
      input: JSON.stringify(input),
    }),
  );
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (execution.status === 'SUCCEEDED')
      return (JSON.parse(execution.output ?? '{}') as { totals: Record<string, number> }).totals;
    if (execution.status !== 'RUNNING')
      throw new Error(`escalation ${execution.status}: ${execution.error ?? ''} ${execution.cause ?? ''}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function casesCommand(args: string[], io: CliIo): Promise<void> {
  const [verb, ...rest] = args;
  const repository = () => new EscalationRepository(awsClients().dynamo);
  const today = todayInVietnam();
  try {
    switch (verb) {
      case 'list': {
        const { values, positionals } = parseVerb(verb, rest, OPTIONS, ALLOWED, USAGE);
        if (positionals.length > 0) throw new UsageError(`unexpected '${positionals[0]}'\n${USAGE}`);
        const status = values.status ?? 'OPEN';
        if (!STATUSES.includes(status as never))
          throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
        const cases = await repository().casesWithStatus(
          status as (typeof STATUSES)[number],
          values.officer as string | undefined,
        );
        if (values.json) io.stdout(`${JSON.stringify(cases, null, 2)}\n`);
        else {
          io.stdout(`${cases.length} hồ sơ ${status}\n`);
          for (const item of cases) io.stdout(`${line(item, today)}\n`);
        }
        return;
      }
      case 'show': {
        const { values, positionals } = parseVerb(verb, rest, OPTIONS, ALLOWED, USAGE);
        const employerId = employerArg(positionals);
        const item = await repository().currentCase(employerId);
        if (!item) throw new UsageError(`no debt case for employer ${employerId}`);
        const trail = await repository().trail(item.caseId);
        if (values.json) {
          io.stdout(`${JSON.stringify({ case: item, trail }, null, 2)}\n`);
          return;
        }
        io.stdout(
          `${line(item, today)}\nMở ${item.openedAt} (kỳ ${item.openedForPeriod}), chính sách ${item.policyVersion}\n`,
        );
        for (const pause of item.pauses ?? [])
          io.stdout(
            `  tạm dừng ${pause.from} -> ${pause.to ?? 'nay'}: ${pause.reason}${pause.note ? ` (${pause.note})` : ''}\n`,
          );
        io.stdout(`Nhật ký (${trail.length}):\n`);
        for (const entry of trail)
          io.stdout(
            `  ${entry.at}  ${entry.what.padEnd(16)} ${entry.who} qua ${entry.channel}${entry.why ? `: ${entry.why}` : ''}\n`,
          );
        return;
      }
      case 'pause':
      case 'resume': {
        const { values, positionals } = parseVerb(verb, rest, OPTIONS, ALLOWED, USAGE);
        const employerId = employerArg(positionals);
        const by = required(values.by, 'by');
        const note = typeof values.note === 'string' ? values.note.trim() || undefined : undefined;
        if (note && note.length > 1000) throw new UsageError('--note is longer than 1,000 characters');
        let reason: (typeof REASONS)[number] | undefined;
        if (verb === 'pause') {
          const given = required(values.reason, 'reason');
          if (!REASONS.includes(given as never))
            throw new UsageError(`--reason must be one of ${REASONS.join(', ')}`);
          reason = given as (typeof REASONS)[number];
        }
        const at = new Date().toISOString();
        const updated =
          verb === 'pause'
            ? await repository().pause(employerId, { reason: reason!, note, by, at, channel: 'CLI' })
            : await repository().resume(employerId, { note, by, at, channel: 'CLI' });
        io.stdout(`${line(updated, today)}\n`);
        return;
      }
      case 'evaluate': {
        const { values, positionals } = parseVerb(verb, rest, OPTIONS, ALLOWED, USAGE);
        const employerId = employerArg(positionals);
        const asOf = values['as-of'] ?? today;
        if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || Number.isNaN(Date.parse(asOf))) {
          throw new UsageError(`--as-of must be a date YYYY-MM-DD, got '${asOf}'`);
        }
        if (!(await repository().currentCase(employerId)))
          throw new UsageError(`no debt case for employer ${employerId}`);
        const totals = await runEscalation({ employerId, asOf });
        io.stdout(
          values.json
            ? `${JSON.stringify(totals, null, 2)}\n`
            : `${employerId} ngày ${asOf}: ${describeTotals(totals)}\n`,
        );
        return;
      }
      default:
        throw new UsageError(verb ? `unknown cases command '${verb}'\n${USAGE}` : USAGE);
    }
  } catch (error) {
    if (error instanceof CaseNotFoundError || error instanceof CaseStateError)
      throw new UsageError(error.message);
    throw error;
  }
}
