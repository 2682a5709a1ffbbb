/**
 * Crash resume: an execution the journal shows RUNNING when its stack went away is re-run, with the same
 * ARN and input, by the next stack on the same data folder.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { FREE_PORTS, startLocalStack } from '../../../infra/local/stack.ts';
import type { LocalStack } from '../../../infra/local/stack.ts';
import { stateMachineArn } from '../../../infra/local/sfn-engine.ts';
import type { ExecutionRecord } from '../../../infra/local/sfn-engine.ts';
import { TOY_REGISTRY } from '../../fixtures/toy-registry.ts';
import { tempDataDir, until } from './helpers.ts';

describe('executions interrupted by a crash', () => {
  const data = tempDataDir();
  let stack: LocalStack | undefined;
  afterAll(async () => {
    await stack?.stop();
    data.remove();
  });

  it('are re-run to completion by the next stack on the same data folder', async () => {
    stack = await startLocalStack({ dataDir: data.dir, ports: FREE_PORTS, registry: TOY_REGISTRY });
    let sfn = new SFNClient({});
    const input = JSON.stringify({ waitSeconds: 2, period: '05/2025' });
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: stateMachineArn('Slow'), name: 'monthly-05-2025', input }),
    );
    sfn.destroy();
    // "Crash" in the middle of the Wait: the stack goes away without finishing the execution.
    await new Promise((r) => setTimeout(r, 300));
    await stack.stop();
    const journal = readFileSync(join(data.dir, 'sfn-executions.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as ExecutionRecord);
    expect(journal.filter((r) => r.executionArn === executionArn).at(-1)?.status).toBe('RUNNING');

    stack = await startLocalStack({ dataDir: data.dir, ports: FREE_PORTS, registry: TOY_REGISTRY });
    expect(stack.resumed).toEqual([executionArn]);
    sfn = new SFNClient({});
    const described = await until(
      async () => {
        const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        return d.status === 'RUNNING' ? undefined : d;
      },
      20_000,
      'the resumed execution',
    );
    sfn.destroy();
    expect(described.status).toBe('SUCCEEDED');
    expect(described.input).toBe(input);
    expect(JSON.parse(described.output!)).toEqual({ marked: executionArn });
    const record = stack.engine.describeExecution(executionArn!);
    expect(record.runs).toBe(2);
    expect(record.transitions).toBe(2); // Pause + Mark, counted for the run that finished

    // The handler ran once, under the same ARN, with the original input.
    const dynamo = new DynamoDBClient({});
    const { Item } = await dynamo.send(
      new GetItemCommand({ TableName: 'Runs', Key: { runId: { S: executionArn! }, itemKey: { S: 'MARK' } } }),
    );
    dynamo.destroy();
    expect(Item?.input?.M?.period?.S).toBe('05/2025');

    // Once finished, a third start resumes nothing.
    await stack.stop();
    stack = await startLocalStack({ dataDir: data.dir, ports: FREE_PORTS, registry: TOY_REGISTRY });
    expect(stack.resumed).toEqual([]);
    expect(stack.engine.describeExecution(executionArn!).status).toBe('SUCCEEDED');
  });
});
