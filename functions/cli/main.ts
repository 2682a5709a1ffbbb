/** The `dondoc` command line: one sub-command per process. */
import { agenciesCommand } from './agencies.ts';
import { casesCommand } from './cases.ts';
import { policyCommand } from './policy.ts';
import { schedulesCommand } from './schedules.ts';
import { statementCommand } from './statement.ts';
import { UsageError, processIo, type CliIo } from './io.ts';

const COMMANDS: Record<string, (args: string[], io: CliIo) => Promise<void>> = {
  statement: statementCommand,
  cases: casesCommand,
  agencies: agenciesCommand,
  policy: policyCommand,
  schedules: schedulesCommand,
};

const USAGE = `usage: dondoc <command> [arguments]

commands:
  statement FILE|-   compute a C12-TS statement from a request (JSON) and print it as JSON
  cases list|show|pause|resume
                     debt cases and their audit trail (dondoc cases --help); --local for npm start's stack
  policy list|show|publish
                     the escalation ladder's versions; a new one applies to cases opened from its date
  agencies list|show|review
                     collection service organisations: KPIs and findings of the monthly review
  schedules list|show|set|pause|resume|run-now|runs
                     when each recurring process runs, and its recent runs
`;

/** Runs a command and returns the exit status: 0 done, 2 bad usage or input, 1 anything else. */
export async function runCli(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === '--help' || name === '-h') {
    (name ? io.stdout : io.stderr)(USAGE);
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`dondoc: unknown command '${name}'\n${USAGE}`);
    return 2;
  }
  try {
    await command(args, io);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`dondoc ${name}: ${error.message}\n`);
      return 2;
    }
    io.stderr(`dondoc ${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}
