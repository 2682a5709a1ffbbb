/**
 * `dondoc policy list|show|publish`: the escalation ladder's versions. A new version changes thresholds,
 * the approval deadline, penalty scales or the office's own days off for cases opened from its effective
 * date; open cases keep the version they were opened under (public holidays: functions/shared/holidays.ts).
 *
 *   dondoc policy list [--json]
 *   dondoc policy show [VERSION] [--as-of YYYY-MM-DD]   (default: the version in force today; JSON to edit)
 *   dondoc policy publish FILE|- --by ADMIN_ID [--note TEXT]
 *
 * `--local` points at the embedded stack `npm start` serves. Bad input: exit 2 with the reason, nothing written.
 */
import { PolicyRejectedError, PolicyStore } from '../escalation/policy-store.ts';
import { DEFAULT_ESCALATION_POLICY, policyFor, policyForNewCase } from '../escalation/policy.ts';
import { UnknownPolicyVersionError } from '../escalation/policy.ts';
import { awsClients } from '../shared/aws.ts';
import { todayInVietnam } from '../shared/calendar.ts';
import { UsageError, parseVerb, readSource, type CliIo } from './io.ts';

const USAGE = `usage:
  dondoc policy list [--json] [--local]
  dondoc policy show [VERSION] [--as-of YYYY-MM-DD] [--local]
  dondoc policy publish FILE|- --by ADMIN_ID [--note TEXT] [--local]`;

const OPTIONS = {
  json: { type: 'boolean' },
  local: { type: 'boolean' },
  'as-of': { type: 'string' },
  by: { type: 'string' },
  note: { type: 'string' },
} as const;
const ALLOWED: Record<string, (keyof typeof OPTIONS)[]> = {
  list: ['json', 'local'],
  show: ['as-of', 'local'],
  publish: ['by', 'note', 'local'],
};

export async function policyCommand(args: string[], io: CliIo): Promise<void> {
  const [verb, ...rest] = args;
  if (!verb || !(verb in ALLOWED)) throw new UsageError(USAGE);
  const { values, positionals } = parseVerb(verb, rest, OPTIONS, ALLOWED, USAGE);
  const store = new PolicyStore(awsClients().dynamo);

  if (verb === 'list') {
    if (positionals.length > 0) throw new UsageError(USAGE);
    const published = await store.published();
    const rows = [
      {
        version: DEFAULT_ESCALATION_POLICY.version,
        effectiveFrom: DEFAULT_ESCALATION_POLICY.effectiveFrom,
        publishedBy: '(built in)',
        publishedAt: '',
        note: 'domain.md section 4',
      },
      ...published.map((entry) => ({
        version: entry.policy.version,
        effectiveFrom: entry.policy.effectiveFrom,
        publishedBy: entry.publishedBy,
        publishedAt: entry.publishedAt,
        note: entry.note ?? '',
      })),
    ];
    const inForce = policyForNewCase(todayInVietnam(), await store.versions()).version;
    if (values.json) {
      io.stdout(
        `${JSON.stringify(
          rows.map((row) => ({ ...row, inForce: row.version === inForce })),
          null,
          2,
        )}\n`,
      );
      return;
    }
    for (const row of rows) {
      io.stdout(
        `${row.version === inForce ? '*' : ' '} ${row.version.padEnd(16)} từ ${row.effectiveFrom}  ` +
          `${row.publishedBy}${row.publishedAt ? ` ${row.publishedAt}` : ''}${row.note ? `  ${row.note}` : ''}\n`,
      );
    }
    return;
  }

  if (verb === 'show') {
    if (positionals.length > 1) throw new UsageError(`at most one VERSION\n${USAGE}`);
    const asOf = values['as-of'] ?? todayInVietnam();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf)) throw new UsageError(`--as-of '${asOf}' is not a date YYYY-MM-DD`);
    const versions = await store.versions();
    try {
      const policy = positionals[0] ? policyFor(positionals[0], versions) : policyForNewCase(asOf, versions);
      io.stdout(`${JSON.stringify(policy, null, 2)}\n`);
    } catch (error) {
      if (error instanceof UnknownPolicyVersionError) throw new UsageError(error.message);
      throw error;
    }
    return;
  }

  const [source, ...extra] = positionals;
  if (!source || extra.length > 0)
    throw new UsageError(`one FILE (or - for standard input) is needed\n${USAGE}`);
  const by = values.by?.trim();
  if (!by) throw new UsageError(`--by is required (who publishes it, for the record)\n${USAGE}`);
  const text = await readSource(source, io);
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `${source === '-' ? 'standard input' : source} is not valid JSON: ${(error as Error).message}`,
    );
  }
  try {
    const policy = await store.publish(
      document,
      by,
      new Date().toISOString(),
      values.note?.trim() || undefined,
    );
    io.stdout(
      `đã công bố phiên bản ${policy.version}: áp dụng cho hồ sơ mở từ ${policy.effectiveFrom}; ` +
        'hồ sơ đang mở giữ phiên bản cũ\n',
    );
  } catch (error) {
    if (error instanceof PolicyRejectedError) throw new UsageError(error.message);
    throw error;
  }
}
