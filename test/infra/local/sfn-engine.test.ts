/**
 * The local Step Functions engine behind the SDK: the toy workflows run on the real emulators, are driven
 * only through @aws-sdk/client-sfn pointed at the local endpoint (AWS_ENDPOINT_URL_SFN), and exercise every
 * construct the real workflows use.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  InvalidToken,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
  TaskDoesNotExist,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import type { DescribeExecutionCommandOutput } from '@aws-sdk/client-sfn';
import { FREE_PORTS, startLocalStack } from '../../../infra/local/stack.ts';
import type { LocalStack } from '../../../infra/local/stack.ts';
import { assertRunnableLocally, LocalSfnEngine, stateMachineArn } from '../../../infra/local/sfn-engine.ts';
import { JSONATA_REGISTRY, TOY_REGISTRY } from '../../fixtures/toy-registry.ts';
import { storedToken, tempDataDir, until } from './helpers.ts';

function finishedOn(sfn: SFNClient, executionArn: string): Promise<DescribeExecutionCommandOutput> {
  return until(
    async () => {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return described.status === 'RUNNING' ? undefined : described;
    },
    30_000,
    `${executionArn} to finish`,
  );
}

/**
 * The toy workflow end to end: lambda tasks, a Map with a Choice loop, a named-error Retry, a Catch and a
 * callback. Run with handlers in the engine's thread and on a handler thread (what npm start uses).
 */
async function runsTheToyWorkflow(stack: LocalStack, sfn: SFNClient, dynamo: DynamoDBClient): Promise<void> {
  const finished = (executionArn: string) => finishedOn(sfn, executionArn);
  const input = { items: ['phuong-1', 'phuong-2', 'xa-3'], rounds: 3, failures: 2 };
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn: stateMachineArn('Toy'), input: JSON.stringify(input) }),
  );
  expect(executionArn).toMatch(/^arn:aws:states:ap-southeast-1:000000000000:execution:dondoc-Toy:/);

  // The callback task's handler stored the token (as the approval record will); the approver answers.
  const token = await storedToken(dynamo, executionArn!);
  expect((await sfn.send(new DescribeExecutionCommand({ executionArn }))).status).toBe('RUNNING');
  await sfn.send(
    new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ approvedBy: 'CB-07' }) }),
  );

  const described = await finished(executionArn!);
  expect(described.status).toBe('SUCCEEDED');
  expect(described.stopDate!.getTime()).toBeGreaterThanOrEqual(described.startDate!.getTime());
  const output = JSON.parse(described.output!);
  // Map + Choice loop: every item went round `rounds` times.
  expect(output.items).toEqual(input.items.map((item) => ({ item, rounds: 3, count: 3, done: true })));
  // Retry on TransientError (and not on the other retrier): two failures, then success on attempt 3.
  expect(output.flaky).toEqual({ attempts: 3 });
  // Catch matched BusinessRuleError by name; the Cause is the Lambda runtime's JSON error document.
  expect(output.caught.Error).toBe('BusinessRuleError');
  expect(JSON.parse(output.caught.Cause)).toMatchObject({
    errorType: 'BusinessRuleError',
    errorMessage: `no rule allows ${executionArn!.split(':').pop()}`,
  });
  expect(output.approval).toEqual({ approvedBy: 'CB-07' });

  // States entered: Prepare, FanOut, Flaky, Doomed, Approve, Done (6) + 2 retries of Flaky
  // + per item (Step, Again) x 3 rounds + ItemDone = 7, x 3 items = 21: 29 in all.
  expect(stack.engine.describeExecution(executionArn!).transitions).toBe(29);

  const { executions } = await sfn.send(
    new ListExecutionsCommand({ stateMachineArn: stateMachineArn('Toy'), statusFilter: 'SUCCEEDED' }),
  );
  expect(executions?.map((e) => e.executionArn)).toContain(executionArn);
}

/** A stack of the toy registry for the enclosing describe, with SDK clients pointed at it. */
function toyStack(handlerThreads = 0) {
  const data = tempDataDir();
  const toy = {} as { stack: LocalStack; sfn: SFNClient; dynamo: DynamoDBClient };
  beforeAll(async () => {
    toy.stack = await startLocalStack({
      dataDir: data.dir,
      ports: FREE_PORTS,
      registry: TOY_REGISTRY,
      handlerThreads,
    });
    toy.sfn = new SFNClient({});
    toy.dynamo = new DynamoDBClient({});
  });
  afterAll(async () => {
    toy.sfn?.destroy();
    toy.dynamo?.destroy();
    await toy.stack?.stop();
    data.remove();
  });
  return toy;
}

describe('local Step Functions engine through the SDK', () => {
  const toy = toyStack();
  let stack: LocalStack;
  let sfn: SFNClient;
  let dynamo: DynamoDBClient;
  beforeAll(() => {
    ({ stack, sfn, dynamo } = toy);
  });

  const finished = (executionArn: string) => finishedOn(sfn, executionArn);

  it('lists the registry as state machines with dondoc-<Name> ARNs', async () => {
    const { stateMachines } = await sfn.send(new ListStateMachinesCommand({}));
    expect(stateMachines?.map((m) => m.stateMachineArn).sort()).toEqual(
      ['Approval', 'CallbackTimeout', 'CallbackTimeoutPath', 'Parent', 'Slow', 'Toy'].map(
        (name) => `arn:aws:states:ap-southeast-1:000000000000:stateMachine:dondoc-${name}`,
      ),
    );
    expect(stateMachines?.[0]?.creationDate).toBeInstanceOf(Date);
  });

  it('runs lambda tasks, a Map with a Choice loop, a named-error Retry, a Catch and a callback to SUCCEEDED', () =>
    runsTheToyWorkflow(stack, sfn, dynamo));

  it('fails the execution with the error of SendTaskFailure when nothing catches it', async () => {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: stateMachineArn('Toy'),
        input: JSON.stringify({ items: ['a'], rounds: 1, failures: 0 }),
      }),
    );
    const token = await storedToken(dynamo, executionArn!);
    await sfn.send(
      new SendTaskFailureCommand({ taskToken: token, error: 'Rejected', cause: 'Thiếu chứng từ' }),
    );
    const described = await finished(executionArn!);
    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('Rejected');
    expect(described.cause).toBe('Thiếu chứng từ');
    // The token is spent: answering again is TaskDoesNotExist.
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskDoesNotExist);
  });

  it('times a callback out with States.Timeout, which States.TaskFailed does not catch; a late answer is TaskTimedOut', async () => {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: stateMachineArn('CallbackTimeout'), input: '{}' }),
    );
    const token = await storedToken(dynamo, executionArn!);
    const described = await finished(executionArn!);
    expect(described.status).toBe('FAILED');
    expect(described.error).toBe('States.Timeout');
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('reads TimeoutSecondsPath from the state input, as AWS does, and hands the task only its Parameters', async () => {
    const started = Date.now();
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: stateMachineArn('CallbackTimeoutPath'),
        input: JSON.stringify({ wait: { seconds: 1 } }),
      }),
    );
    const described = await finished(executionArn!);
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output!).timedOut.Error).toBe('States.Timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });

  it('runs a child execution through states:startExecution.sync:2', async () => {
    const { executionArn } = await sfn.send(
      new StartExecutionCommand({
        stateMachineArn: stateMachineArn('Parent'),
        name: 'parent-1',
        input: '{}',
      }),
    );
    const described = await finished(executionArn!);
    expect(described.status).toBe('SUCCEEDED');
    const output = JSON.parse(described.output!);
    expect(output.childStatus).toBe('SUCCEEDED');
    const childArn = output.childOutput.marked as string;
    expect(childArn).toMatch(/:execution:dondoc-Slow:/);
    const child = await sfn.send(new DescribeExecutionCommand({ executionArn: childArn }));
    expect(JSON.parse(child.input!)).toEqual({ waitSeconds: 0, from: 'parent-1' });
    expect(stack.engine.describeExecution(childArn).parentExecutionArn).toBe(executionArn);
  });

  it('is idempotent on the same name and input while running, and refuses a reused name otherwise', async () => {
    const request = {
      stateMachineArn: stateMachineArn('Slow'),
      name: 'thang-05-2025',
      input: '{"waitSeconds":1}',
    };
    const first = await sfn.send(new StartExecutionCommand(request));
    const again = await sfn.send(new StartExecutionCommand(request));
    expect(again.executionArn).toBe(first.executionArn);
    expect(again.startDate).toEqual(first.startDate);
    await expect(
      sfn.send(new StartExecutionCommand({ ...request, input: '{"waitSeconds":2}' })),
    ).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    expect((await finished(first.executionArn!)).status).toBe('SUCCEEDED');
    // Like AWS: once closed, the name cannot be reused even with the same input.
    await expect(sfn.send(new StartExecutionCommand(request))).rejects.toBeInstanceOf(ExecutionAlreadyExists);
    // Wait 1 + Mark.
    expect(stack.engine.describeExecution(first.executionArn!).transitions).toBe(2);
  });

  it('answers unknown executions and tokens with AWS error types', async () => {
    await expect(
      sfn.send(
        new DescribeExecutionCommand({
          executionArn: `${stateMachineArn('Toy').replace('stateMachine', 'execution')}:nope`,
        }),
      ),
    ).rejects.toBeInstanceOf(ExecutionDoesNotExist);
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: 'not-a-token', output: '{}' })),
    ).rejects.toBeInstanceOf(InvalidToken);
    await expect(
      sfn.send(new SendTaskSuccessCommand({ taskToken: `AQLocal${'x'.repeat(64)}`, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskDoesNotExist);
  });
});

describe('workflow definitions the local engine must refuse or accept', () => {
  it('refuses QueryLanguage JSONata with a clear error, and frees what it started', async () => {
    const data = tempDataDir();
    try {
      expect(() => LocalSfnEngine.create({ dataDir: data.dir, registry: JSONATA_REGISTRY })).toThrow(
        /jsonata\.asl\.json: \$ uses QueryLanguage "JSONata".*write the workflow in JSONPath/,
      );
      await expect(
        startLocalStack({ dataDir: data.dir, ports: FREE_PORTS, registry: JSONATA_REGISTRY }),
      ).rejects.toThrow(/JSONata/);
      expect(process.env.AWS_ENDPOINT_URL_SFN).toBeUndefined();
      // dynalite released its LevelDB lock: the same folder opens again.
      const stack = await startLocalStack({ dataDir: data.dir, ports: FREE_PORTS, registry: TOY_REGISTRY });
      await stack.stop();
    } finally {
      data.remove();
    }
  });

  it('refuses a Choice on IsNull: false, which the package never evaluates as true', () => {
    const definition = {
      StartAt: 'Check',
      States: {
        Check: {
          Type: 'Choice',
          Choices: [{ Variable: '$.error', IsNull: false, Next: 'Failed' }],
          Default: 'Done',
        },
        Failed: { Type: 'Fail', Error: 'X' },
        Done: { Type: 'Succeed' },
      },
    };
    expect(() => assertRunnableLocally(definition, 'toy')).toThrow(
      /toy: \$\.States\.Check tests IsNull: false/,
    );
    const fixed = structuredClone(definition);
    fixed.States.Check.Choices = [{ Variable: '$.error', IsString: true, Next: 'Failed' } as never];
    expect(() => assertRunnableLocally(fixed, 'toy')).not.toThrow();
  });

  it('loads the project workflows and maps every Task, including those inside the Map', () => {
    const data = tempDataDir();
    try {
      const engine = LocalSfnEngine.create({ dataDir: data.dir });
      const workflow = engine.workflow(stateMachineArn('MonthlyC12Notices'));
      expect([...workflow.tasks.keys()].sort()).toEqual(['PrepareRun', 'ProcessBatch', 'SummarizeRun']);
      expect(JSON.stringify(workflow.definition)).toContain(
        'arn:aws:lambda:ap-southeast-1:000000000000:function:dondoc-ProcessBatch',
      );
    } finally {
      data.remove();
    }
  });
});

describe('local Step Functions engine with Lambda handlers on a handler thread', () => {
  const toy = toyStack(1);
  let stack: LocalStack;
  let sfn: SFNClient;
  let dynamo: DynamoDBClient;
  beforeAll(() => {
    ({ stack, sfn, dynamo } = toy);
  });

  it('runs the same workflow to the same result: events, results and named errors cross the thread', async () => {
    const invoke = vi.spyOn(stack.engine.handlerPool!, 'invoke');
    try {
      await runsTheToyWorkflow(stack, sfn, dynamo);
      // Every Lambda task went to the thread: Prepare, Flaky x3, Doomed, Approve and 3 x 3 Steps.
      expect(invoke.mock.calls.length).toBeGreaterThanOrEqual(15);
      expect(invoke.mock.calls.map(([entryUrl]) => entryUrl)).toContainEqual(
        expect.stringMatching(/test\/fixtures\/handlers\/flaky\.ts$/),
      );
    } finally {
      invoke.mockRestore();
    }
  });

  it("serves the front door in the engine's thread, not behind the workflow steps on the handler threads", async () => {
    const invoke = vi.spyOn(stack.engine.handlerPool!, 'invoke');
    try {
      const response = await fetch(`${stack.webUrl}/approvals/${'A'.repeat(24)}`);
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(await response.text()).toContain('Không tìm thấy đề nghị');
      expect(invoke).not.toHaveBeenCalled();
    } finally {
      invoke.mockRestore();
    }
  });
});
