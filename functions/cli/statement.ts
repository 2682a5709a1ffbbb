/**
 * `dondoc statement FILE|-`: read a statement request (JSON), print the C12-TS statement (JSON).
 * Exit status 2 with a message naming the field for invalid input.
 */
import { computeStatement } from '../c12/account.ts';
import { describeIssues, statementRequestSchema } from '../c12/model.ts';
import { MoneyRangeError } from '../shared/money.ts';
import { UsageError, readSource, type CliIo } from './io.ts';

export async function statementCommand(args: string[], io: CliIo): Promise<void> {
  const [source, ...rest] = args;
  if (!source || rest.length > 0)
    throw new UsageError('usage: dondoc statement FILE (or - for standard input)');
  const text = await readSource(source, io);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(
      `${source === '-' ? 'standard input' : source} is not valid JSON: ${(error as Error).message}`,
    );
  }
  const parsed = statementRequestSchema.safeParse(json);
  if (!parsed.success) throw new UsageError(`invalid statement request:\n${describeIssues(parsed.error)}`);
  let statement;
  try {
    statement = computeStatement(parsed.data);
  } catch (error) {
    // Rows within bounds whose sums or interest leave the exact integer range: still the input's fault.
    if (error instanceof MoneyRangeError)
      throw new UsageError(
        `invalid statement request: amounts too large to compute exactly (${error.message})`,
      );
    throw error;
  }
  io.stdout(`${JSON.stringify(statement, null, 2)}\n`);
}
