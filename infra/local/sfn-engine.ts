/**
 * The local Step Functions engine: runs the same `workflows/*.asl.json` with aws-local-stepfunctions and maps
 * every Task state to a local implementation, so handlers run in-process exactly as Lambda would call them.
 *
 * What aws-local-stepfunctions 3.0.0 does not do for us, and how this module fills the gap:
 * - it keys Task overrides by state name and hands them only the resolved Parameters, so we walk the
 *   definition (Map and Parallel included) and register one override per Task, dispatching on its Resource;
 * - it matches Retry/Catch `ErrorEquals` against `error.name`, so a handler error is re-thrown with the
 *   handler error's name (Lambda's `errorType`) and an AWS-shaped JSON Cause;
 * - it ignores `QueryLanguage: "JSONata"` and `Assign` silently, so such definitions are refused at load;
 * - its default task timeout is 60 s and its timers overflow above 2^31-1 ms, so timeouts are rewritten
 *   (callbacks default to the longest timer Node allows, Lambda tasks to the function's own timeout);
 * - it keeps no record of executions, so they are journalled to a JSON-lines file in the data folder and
 *   executions left RUNNING by a crash are re-run (every step is idempotent by design).
 */
import './polyfills.ts';
import { randomBytes, randomUUID } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { StateMachine } from 'aws-local-stepfunctions';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import {
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { executionArnOf } from '../../functions/shared/aws.ts';
import { WORKFLOWS, substituteDefinition } from '../../workflows/registry.ts';
import { HandlerPool } from './handler-pool.ts';
import { IN_THIS_THREAD, type HandlerInvoker, type LambdaContextFields } from './lambda-runtime.ts';
import type { FunctionSpec, WorkflowSpec } from '../../workflows/registry.ts';

export const LOCAL_REGION = 'ap-southeast-1';
export const LOCAL_ACCOUNT = '000000000000';
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type Registry = Record<string, WorkflowSpec>;
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** Node timers overflow above 2^31-1 ms (then fire at once), so no local timeout may exceed this. */
const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);
/** Step Functions refuses payloads above 256 KiB; keep that failure visible locally. */
const MAX_PAYLOAD_BYTES = 256 * 1024;
const TOKEN_PREFIX = 'AQLocal';

export function localFunctionName(placeholder: string): string {
  return `dondoc-${placeholder.replace(/FunctionArn$/, '')}`;
}
export function localFunctionArn(placeholder: string): string {
  return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${localFunctionName(placeholder)}`;
}
export function stateMachineArn(workflowName: string): string {
  return `arn:aws:states:${LOCAL_REGION}:${LOCAL_ACCOUNT}:stateMachine:dondoc-${workflowName}`;
}

/** An error with the `__type` the Step Functions API returns; sfn-api.ts turns it into an HTTP 400. */
export class SfnApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
    this.name = type;
  }
}

/**
 * The error a Task fails with. aws-local-stepfunctions compares `ErrorEquals` to `name`, puts `message` in
 * the Catch output's `Cause`, and reads `isRetryable`/`isCatchable` (absent = true).
 */
class TaskFailure extends Error {
  constructor(name: string, cause: string, fatal = false) {
    super(cause);
    this.name = name;
    if (fatal) Object.assign(this, { isRetryable: false, isCatchable: false });
  }
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'ABORTED';

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  /** Execution input as the API carries it: a JSON string. */
  input: string;
  status: ExecutionStatus;
  output?: string;
  error?: string;
  cause?: string;
  startDate: string;
  stopDate?: string;
  /** States entered (Map iterations and Parallel branches included) plus retries: what AWS bills. */
  transitions: number;
  /** How many times this execution was (re)started: > 1 after a crash resume. */
  runs: number;
  /** The execution that started this one through `states:startExecution`, if any. */
  parentExecutionArn?: string;
}

export interface LoadedWorkflow {
  name: string;
  stateMachineArn: string;
  creationDate: string;
  /** Definition as deployed (placeholders substituted). */
  definition: StateMachineDefinition;
  /** The copy given to aws-local-stepfunctions, with local timeouts rewritten. */
  engineDefinition: StateMachineDefinition;
  /** Task state name -> its definition, across nested Map/Parallel sub-machines. */
  tasks: Map<string, TaskDef>;
  /** Names of states with a Retry field (for `retryDelayMs`). */
  retrying: string[];
}

interface TaskDef {
  Resource: string;
  TimeoutSeconds?: number;
  HeartbeatSeconds?: number;
}

interface PendingTask {
  executionArn: string;
  promise: Promise<Json>;
  resolve: (value: Json) => void;
  reject: (error: Error) => void;
  claimed: boolean;
  heartbeat?: () => void;
}

interface RunningExecution {
  abort: () => void;
  aborted: boolean;
  settled: Promise<void>;
}

export interface EngineOptions {
  /** Folder for the execution journal (`sfn-executions.jsonl`). */
  dataDir: string;
  /** Workflows to load; defaults to the project's WORKFLOWS. */
  registry?: Registry;
  /** Root that `definitionFile` and `entry` paths are relative to; defaults to the repository root. */
  rootDir?: string;
  /**
   * Wait this long before every retry instead of IntervalSeconds/BackoffRate/jitter, so workflow tests do
   * not sleep through production back-off. Unset: the definition's own intervals.
   */
  retryDelayMs?: number;
  /**
   * Run Lambda handlers on this many threads (handler-pool.ts), as Lambda runs concurrent invocations in
   * environments of their own; 0 (the default) runs them in the engine's thread, where tests can share
   * state with them.
   */
  handlerThreads?: number;
}

/** Names of every state with a Retry field, through Map and Parallel sub-machines. */
function collectRetrying(definition: Record<string, unknown>, out: string[] = []): string[] {
  for (const [name, state] of Object.entries(definition.States as Record<string, Record<string, unknown>>)) {
    if (Array.isArray(state.Retry)) out.push(name);
    if (state.Type === 'Map')
      collectRetrying((state.ItemProcessor ?? state.Iterator) as Record<string, unknown>, out);
    if (state.Type === 'Parallel')
      for (const b of state.Branches as Record<string, unknown>[]) collectRetrying(b, out);
  }
  return out;
}

/** Refuse what aws-local-stepfunctions would silently misrun, with the reason in the message. */
export function assertRunnableLocally(definition: unknown, where = 'definition'): void {
  const visit = (machine: Record<string, unknown>, path: string): void => {
    if (machine.QueryLanguage === 'JSONata') {
      throw new Error(
        `${where}: ${path} uses QueryLanguage "JSONata"; the local engine (aws-local-stepfunctions) ignores it ` +
          'silently and would evaluate the states as JSONPath, so write the workflow in JSONPath',
      );
    }
    const states = (machine.States ?? {}) as Record<string, Record<string, unknown>>;
    for (const [name, state] of Object.entries(states)) {
      const at = `${path}.States.${name}`;
      if (state.QueryLanguage === 'JSONata') {
        throw new Error(`${where}: ${at} uses QueryLanguage "JSONata", which the local engine cannot run`);
      }
      if ('Assign' in state) {
        throw new Error(`${where}: ${at} uses Assign (variables), which the local engine ignores silently`);
      }
      if (state.Type === 'Choice' && JSON.stringify(state.Choices ?? []).includes('"IsNull":false')) {
        throw new Error(
          `${where}: ${at} tests IsNull: false, which aws-local-stepfunctions 3.0.0 evaluates as never true ` +
            '(AWS: true for any non-null value); test the value with IsString/IsNumeric/IsBoolean instead',
        );
      }
      if (state.Type === 'Map') {
        const processor = (state.ItemProcessor ?? state.Iterator) as Record<string, unknown> | undefined;
        const mode = (processor?.ProcessorConfig as { Mode?: string } | undefined)?.Mode;
        if (mode === 'DISTRIBUTED' || 'ItemReader' in state) {
          throw new Error(`${where}: ${at} is a Distributed Map, which the local engine does not support`);
        }
        if (processor) visit(processor, `${at}.ItemProcessor`);
      }
      if (state.Type === 'Parallel') {
        (state.Branches as Record<string, unknown>[]).forEach((branch, i) =>
          visit(branch, `${at}.Branches[${i}]`),
        );
      }
    }
  };
  visit(definition as Record<string, unknown>, '$');
}

/** Every Task state by name, through Map and Parallel sub-machines (overrides are keyed by bare name). */
function collectTasks(
  definition: Record<string, unknown>,
  out = new Map<string, TaskDef>(),
): Map<string, TaskDef> {
  for (const [name, state] of Object.entries(definition.States as Record<string, Record<string, unknown>>)) {
    if (state.Type === 'Task') {
      const task = state as unknown as TaskDef;
      const seen = out.get(name);
      if (seen && seen.Resource !== task.Resource) {
        throw new Error(
          `Task state name "${name}" is used twice with different resources; the local engine keys tasks by ` +
            'state name, so give them distinct names',
        );
      }
      out.set(name, task);
    } else if (state.Type === 'Map') {
      collectTasks((state.ItemProcessor ?? state.Iterator) as Record<string, unknown>, out);
    } else if (state.Type === 'Parallel') {
      for (const branch of state.Branches as Record<string, unknown>[]) collectTasks(branch, out);
    }
  }
  return out;
}

/**
 * Timeouts the local engine can honour: callbacks get the longest timer Node allows (AWS defaults to about a
 * year, the engine to 60 s), Lambda tasks the function's own timeout, and nothing exceeds the timer limit.
 */
/** Parameters keys that carry a path timeout's value from the state input to the engine (then removed). */
const PATH_TIMEOUT_KEYS = {
  TimeoutSecondsPath: '__dondocTimeoutSeconds',
  HeartbeatSecondsPath: '__dondocHeartbeatSeconds',
};

/**
 * AWS reads TimeoutSecondsPath and HeartbeatSecondsPath from the state input; aws-local-stepfunctions 3.0.0
 * reads them from the Parameters' result. The value is carried there under a key of ours (resolved from the
 * state input like every other Parameters field), which the task override removes before dispatching.
 */
function pathTimeoutsFromStateInput(state: Record<string, unknown>): void {
  for (const [field, key] of Object.entries(PATH_TIMEOUT_KEYS)) {
    const path = state[field];
    if (typeof path !== 'string') continue;
    const parameters = (state.Parameters ?? {}) as Record<string, unknown>;
    state.Parameters = { ...parameters, [`${key}.$`]: path };
    state[field] = `$.${key}`;
  }
}

function rewriteTimeouts(definition: Record<string, unknown>, lambdaTimeouts: Map<string, number>): void {
  if (typeof definition.TimeoutSeconds === 'number') {
    definition.TimeoutSeconds = Math.min(definition.TimeoutSeconds, MAX_TIMER_SECONDS);
  }
  for (const state of Object.values(definition.States as Record<string, Record<string, unknown>>)) {
    if (state.Type === 'Task') pathTimeoutsFromStateInput(state);
    if (state.Type === 'Task' && state.TimeoutSecondsPath === undefined) {
      const resource = state.Resource as string;
      const params = (state.Parameters ?? {}) as Record<string, unknown>;
      let timeout = state.TimeoutSeconds as number | undefined;
      if (timeout === undefined) {
        if (resource.endsWith('.waitForTaskToken') || resource.includes(':states:startExecution.sync')) {
          timeout = MAX_TIMER_SECONDS;
        } else {
          const fn =
            typeof params.FunctionName === 'string'
              ? lambdaTimeouts.get(parseFunctionName(params.FunctionName))
              : undefined;
          timeout = fn ?? lambdaTimeouts.get(parseFunctionName(resource));
        }
      }
      if (timeout !== undefined) state.TimeoutSeconds = Math.min(timeout, MAX_TIMER_SECONDS);
    } else if (state.Type === 'Wait' && typeof state.Seconds === 'number') {
      state.Seconds = Math.min(state.Seconds, MAX_TIMER_SECONDS);
    } else if (state.Type === 'Map') {
      rewriteTimeouts((state.ItemProcessor ?? state.Iterator) as Record<string, unknown>, lambdaTimeouts);
    } else if (state.Type === 'Parallel') {
      for (const branch of state.Branches as Record<string, unknown>[])
        rewriteTimeouts(branch, lambdaTimeouts);
    }
  }
}

/** `dondoc-X`, `dondoc-X:alias`, or any Lambda ARN (optionally qualified) -> `dondoc-X`. */
function parseFunctionName(nameOrArn: string): string {
  const match = /^arn:aws[\w-]*:lambda:[^:]*:[^:]*:function:([^:]+)/.exec(nameOrArn);
  return match ? match[1]! : nameOrArn.split(':')[0]!;
}

/** AWS execution names: 1-80 characters, no whitespace, brackets, wildcards, punctuation or control codes. */
function validExecutionName(name: string): boolean {
  if (name.length < 1 || name.length > 80 || /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/.test(name)) return false;
  return [...name].every((ch) => {
    const code = ch.charCodeAt(0);
    return code > 0x1f && (code < 0x7f || code > 0x9f);
  });
}

/** Find the first issued task token anywhere in a resolved Parameters value. */
function findToken(value: unknown, issued: Map<string, PendingTask>): string | undefined {
  if (typeof value === 'string') return issued.has(value) ? value : undefined;
  if (value && typeof value === 'object') {
    for (const item of Object.values(value)) {
      const found = findToken(item, issued);
      if (found) return found;
    }
  }
  return undefined;
}

function toJson(value: unknown): Json {
  // Lambda serialises results: undefined becomes null, class instances become plain data.
  const text = JSON.stringify(value ?? null);
  if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) {
    throw new TaskFailure('States.DataLimitExceeded', `The task result exceeds ${MAX_PAYLOAD_BYTES} bytes`);
  }
  return JSON.parse(text) as Json;
}

function lambdaCause(error: unknown): { name: string; cause: string } {
  const err = error instanceof Error ? error : new Error(String(error));
  // The cause Step Functions shows for a Lambda error: the runtime's JSON error document.
  const cause = JSON.stringify({
    errorType: err.name,
    errorMessage: err.message,
    trace: (err.stack ?? '').split('\n'),
  });
  return { name: err.name || 'Error', cause };
}

export class LocalSfnEngine {
  private readonly journalFile: string;
  private readonly rootDir: string;
  private readonly retryDelayMs: number | undefined;
  private readonly workflows = new Map<string, LoadedWorkflow>();
  private readonly functions = new Map<string, FunctionSpec>();
  private readonly pool: HandlerPool | undefined;
  /** Where Lambda handlers run: the pool's threads, or this thread. */
  private readonly invoker: HandlerInvoker;
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly running = new Map<string, RunningExecution>();
  private readonly tokens = new Map<string, PendingTask>();
  /** Told each task token as it is issued: tests check that none leaks into a mail, a page or a log. */
  readonly taskTokenListeners = new Set<(token: string) => void>();
  private readonly expiredTokens = new Set<string>();
  private readonly waiters = new Map<string, Array<(record: ExecutionRecord) => void>>();
  private dynamo: DynamoDBClient | undefined;
  private closed = false;

  private constructor(options: EngineOptions) {
    this.rootDir = options.rootDir ?? REPO_ROOT;
    this.retryDelayMs = options.retryDelayMs;
    this.pool = options.handlerThreads ? new HandlerPool(options.handlerThreads) : undefined;
    this.invoker = this.pool ?? IN_THIS_THREAD;
    mkdirSync(options.dataDir, { recursive: true });
    this.journalFile = join(options.dataDir, 'sfn-executions.jsonl');
    const registry = options.registry ?? (WORKFLOWS as unknown as Registry);
    for (const [name, spec] of Object.entries(registry)) this.load(name, spec);
    this.readJournal();
  }

  /** The handler threads, when the engine runs handlers on threads. */
  get handlerPool(): HandlerPool | undefined {
    return this.pool;
  }

  /** Loads and checks every workflow of the registry (throws on JSONata and other unsupported features). */
  static create(options: EngineOptions): LocalSfnEngine {
    return new LocalSfnEngine(options);
  }

  private load(name: string, spec: WorkflowSpec): void {
    const substitutions: Record<string, string | number> = { ...spec.values };
    const lambdaTimeouts = new Map<string, number>();
    for (const [placeholder, fn] of Object.entries(spec.functions)) {
      substitutions[placeholder] = localFunctionArn(placeholder);
      this.functions.set(localFunctionName(placeholder), fn);
      lambdaTimeouts.set(localFunctionName(placeholder), fn.timeoutSeconds);
    }
    const file = resolve(this.rootDir, spec.definitionFile);
    const text = substituteDefinition(readFileSync(file, 'utf8'), substitutions);
    const definition = JSON.parse(text) as StateMachineDefinition & Record<string, unknown>;
    assertRunnableLocally(definition, spec.definitionFile);
    const tasks = collectTasks(definition);
    for (const [stateName, task] of tasks) this.checkResource(spec.definitionFile, stateName, task.Resource);
    // Validates the ASL (asl-validator, ARNs and paths) once, at load, rather than at the first execution.
    new StateMachine(definition);
    const engineDefinition = JSON.parse(text) as StateMachineDefinition & Record<string, unknown>;
    rewriteTimeouts(engineDefinition, lambdaTimeouts);
    const arn = stateMachineArn(name);
    this.workflows.set(arn, {
      name: `dondoc-${name}`,
      stateMachineArn: arn,
      creationDate: new Date().toISOString(),
      definition,
      engineDefinition,
      tasks,
      retrying: collectRetrying(definition),
    });
  }

  private checkResource(file: string, stateName: string, resource: string): void {
    const base = resource.replace(/\.(waitForTaskToken|sync:2|sync)$/, '');
    const supported =
      base === 'arn:aws:states:::lambda:invoke' ||
      base === 'arn:aws:states:::states:startExecution' ||
      /^arn:aws:states:::dynamodb:(getItem|putItem|updateItem|deleteItem)$/.test(base) ||
      (/^arn:aws[\w-]*:lambda:/.test(resource) && this.functions.has(parseFunctionName(resource)));
    if (!supported) {
      throw new Error(
        `${file}: Task "${stateName}" uses ${resource}, which the local engine does not implement`,
      );
    }
  }

  // ---- journal -------------------------------------------------------------------------------------------

  private readJournal(): void {
    if (!existsSync(this.journalFile)) return;
    for (const line of readFileSync(this.journalFile, 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        const record = JSON.parse(line) as ExecutionRecord;
        this.executions.set(record.executionArn, record);
      } catch {
        // A torn last line from a crash mid-write: the previous snapshot of that execution stands.
      }
    }
    // Compact to one line per execution so the journal does not grow with every restart.
    const tmp = `${this.journalFile}.tmp`;
    writeFileSync(tmp, [...this.executions.values()].map((r) => JSON.stringify(r) + '\n').join(''));
    renameSync(tmp, this.journalFile);
  }

  private journal(record: ExecutionRecord): void {
    // Synchronous append: the snapshot is on disk before the API answers, so a crash cannot lose a start.
    appendFileSync(this.journalFile, JSON.stringify(record) + '\n');
  }

  // ---- API ---------------------------------------------------------------------------------------------

  listStateMachines(): Array<{
    stateMachineArn: string;
    name: string;
    type: 'STANDARD';
    creationDate: string;
  }> {
    return [...this.workflows.values()].map((w) => ({
      stateMachineArn: w.stateMachineArn,
      name: w.name,
      type: 'STANDARD' as const,
      creationDate: w.creationDate,
    }));
  }

  workflow(stateMachineArnValue: string): LoadedWorkflow {
    const workflow = this.workflows.get(stateMachineArnValue);
    if (!workflow)
      throw new SfnApiError(
        'StateMachineDoesNotExist',
        `State Machine Does Not Exist: '${stateMachineArnValue}'`,
      );
    return workflow;
  }

  /**
   * Starts an execution. Like AWS: the same name and input while it runs returns the running execution;
   * a name already used otherwise is ExecutionAlreadyExists.
   */
  startExecution(params: {
    stateMachineArn: string;
    name?: string;
    input?: string;
    parentExecutionArn?: string;
  }): {
    executionArn: string;
    startDate: string;
  } {
    if (this.closed) throw new SfnApiError('ServiceUnavailable', 'The local engine is stopping');
    const workflow = this.workflow(params.stateMachineArn);
    const name = params.name ?? randomUUID();
    if (!validExecutionName(name)) {
      throw new SfnApiError('InvalidName', `Invalid Name: '${name}'`);
    }
    const input = params.input ?? '{}';
    try {
      JSON.parse(input);
    } catch {
      throw new SfnApiError('InvalidExecutionInput', 'Invalid State Machine Execution Input: not valid JSON');
    }
    if (Buffer.byteLength(input) > MAX_PAYLOAD_BYTES) {
      throw new SfnApiError('InvalidExecutionInput', `Execution input exceeds ${MAX_PAYLOAD_BYTES} bytes`);
    }
    const executionArn = executionArnOf(workflow.stateMachineArn, name);
    const existing = this.executions.get(executionArn);
    if (existing) {
      if (existing.status === 'RUNNING' && existing.input === input) {
        return { executionArn, startDate: existing.startDate };
      }
      throw new SfnApiError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: workflow.stateMachineArn,
      name,
      input,
      status: 'RUNNING',
      startDate: new Date().toISOString(),
      transitions: 0,
      runs: 0,
      ...(params.parentExecutionArn ? { parentExecutionArn: params.parentExecutionArn } : {}),
    };
    this.executions.set(executionArn, record);
    this.launch(record);
    return { executionArn, startDate: record.startDate };
  }

  describeExecution(executionArn: string): ExecutionRecord {
    const record = this.executions.get(executionArn);
    if (!record)
      throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return { ...record };
  }

  /** Newest first, like the API. */
  listExecutions(
    filter: { stateMachineArn?: string; statusFilter?: ExecutionStatus } = {},
  ): ExecutionRecord[] {
    if (filter.stateMachineArn) this.workflow(filter.stateMachineArn);
    return [...this.executions.values()]
      .filter((r) => !filter.stateMachineArn || r.stateMachineArn === filter.stateMachineArn)
      .filter((r) => !filter.statusFilter || r.status === filter.statusFilter)
      .sort((a, b) => b.startDate.localeCompare(a.startDate))
      .map((r) => ({ ...r }));
  }

  /** Resolves when the execution is no longer RUNNING (or after `timeoutMs`, rejecting). */
  waitForExecution(executionArn: string, timeoutMs = 60_000): Promise<ExecutionRecord> {
    const record = this.describeExecution(executionArn);
    if (record.status !== 'RUNNING') return Promise.resolve(record);
    return new Promise((resolveWait, rejectWait) => {
      const timer = setTimeout(
        () => rejectWait(new Error(`${executionArn} still RUNNING after ${timeoutMs} ms`)),
        timeoutMs,
      );
      const list = this.waiters.get(executionArn) ?? [];
      list.push((done) => {
        clearTimeout(timer);
        resolveWait(done);
      });
      this.waiters.set(executionArn, list);
    });
  }

  sendTaskSuccess(taskToken: string, output: string): void {
    let value: Json;
    try {
      value = JSON.parse(output) as Json;
    } catch {
      throw new SfnApiError('InvalidOutput', 'Invalid output: not valid JSON');
    }
    const pending = this.pendingTask(taskToken);
    this.tokens.delete(taskToken);
    pending.resolve(value);
  }

  sendTaskFailure(taskToken: string, error?: string, cause?: string): void {
    const pending = this.pendingTask(taskToken);
    this.tokens.delete(taskToken);
    // Without an error name AWS still fails the task; States.TaskFailed is what Retry/Catch can match.
    pending.reject(new TaskFailure(error || 'States.TaskFailed', cause ?? ''));
  }

  sendTaskHeartbeat(taskToken: string): void {
    this.pendingTask(taskToken).heartbeat?.();
  }

  private pendingTask(taskToken: string): PendingTask {
    if (typeof taskToken !== 'string' || !taskToken.startsWith(TOKEN_PREFIX)) {
      throw new SfnApiError('InvalidToken', 'Invalid Token');
    }
    if (this.expiredTokens.has(taskToken)) throw new SfnApiError('TaskTimedOut', 'Task Timed Out');
    const pending = this.tokens.get(taskToken);
    if (!pending) throw new SfnApiError('TaskDoesNotExist', 'Task Does Not Exist');
    return pending;
  }

  /** Executions the journal shows RUNNING but nothing runs: a crash or a stop interrupted them. */
  interruptedExecutions(): ExecutionRecord[] {
    return [...this.executions.values()].filter(
      (r) => r.status === 'RUNNING' && !this.running.has(r.executionArn),
    );
  }

  /** Re-runs interrupted executions with the same ARN and input (safe: every step is idempotent). */
  resumeInterrupted(): string[] {
    const resumed: string[] = [];
    for (const record of this.interruptedExecutions()) {
      if (!this.workflows.has(record.stateMachineArn)) continue; // a workflow no longer in the registry
      record.transitions = 0;
      this.launch(record);
      resumed.push(record.executionArn);
    }
    return resumed;
  }

  /** Executions running in this process now. */
  runningCount(): number {
    return this.running.size;
  }

  /**
   * Stops the engine without finishing executions: they stay RUNNING in the journal (as after a crash) and
   * the next engine on this data folder re-runs them.
   */
  async close(): Promise<void> {
    this.closed = true;
    const settling = [...this.running.values()].map((run) => {
      run.aborted = true;
      run.abort();
      return run.settled;
    });
    for (const [token, pending] of this.tokens) {
      this.tokens.delete(token);
      pending.reject(new TaskFailure('States.Runtime', 'engine stopped', true));
    }
    await Promise.all(settling);
    await this.pool?.close();
    this.dynamo?.destroy();
  }

  // ---- running -----------------------------------------------------------------------------------------

  private launch(record: ExecutionRecord): void {
    const workflow = this.workflow(record.stateMachineArn);
    record.runs += 1;
    this.journal(record);
    const issued = new Set<string>();
    const issueToken = (): string => {
      const token = TOKEN_PREFIX + randomBytes(48).toString('base64url');
      let resolveTask!: (value: Json) => void;
      let rejectTask!: (error: Error) => void;
      const promise = new Promise<Json>((res, rej) => {
        resolveTask = res;
        rejectTask = rej;
      });
      promise.catch(() => undefined); // a token nobody waits on must not become an unhandled rejection
      this.tokens.set(token, {
        executionArn: record.executionArn,
        promise,
        resolve: resolveTask,
        reject: rejectTask,
        claimed: false,
      });
      issued.add(token);
      for (const listener of this.taskTokenListeners) {
        try {
          listener(token);
        } catch {
          // An observer's failure is not the task's.
        }
      }
      return token;
    };
    // aws-local-stepfunctions reads `$$` from this object; a getter gives every Task its own token.
    const context = {
      Execution: {
        Id: record.executionArn,
        Name: record.name,
        RoleArn: `arn:aws:iam::${LOCAL_ACCOUNT}:role/dondoc-local`,
        StartTime: record.startDate,
        RedriveCount: 0,
      },
      StateMachine: { Id: workflow.stateMachineArn, Name: workflow.name },
      Task: {
        get Token(): string {
          return issueToken();
        },
      },
    };
    const overrides: Record<string, (input: Json) => Promise<Json>> = {};
    for (const [stateName, task] of workflow.tasks) {
      overrides[stateName] = (input) => this.runTask(record, stateName, task, input as JsonObject);
    }
    const machine = new StateMachine(workflow.engineDefinition, { validationOptions: { noValidate: true } });
    const execution = machine.run(JSON.parse(record.input) as Json as never, {
      overrides: {
        taskResourceLocalHandlers: overrides as never,
        ...(this.retryDelayMs !== undefined
          ? {
              retryIntervalOverrides: Object.fromEntries(
                workflow.retrying.map((n) => [n, this.retryDelayMs!]),
              ),
            }
          : {}),
      },
      noThrowOnAbort: true,
      context,
    });
    const run: RunningExecution = { abort: execution.abort, aborted: false, settled: Promise.resolve() };
    this.running.set(record.executionArn, run);

    const counting = (async () => {
      for await (const event of execution.eventLogs) {
        if (event.type === 'StateEntered' || event.type === 'StateRetried') record.transitions += 1;
      }
    })();

    run.settled = execution.result.then(
      async (output) => {
        await counting;
        if (run.aborted) return this.detach(record, issued, false);
        this.finish(record, issued, { status: 'SUCCEEDED', output: JSON.stringify(output) });
      },
      async (error: unknown) => {
        await counting;
        if (run.aborted) return this.detach(record, issued, false);
        const cause = (error as { cause?: unknown }).cause;
        const failure = cause instanceof Error ? cause : (error as Error);
        this.finish(record, issued, {
          status: 'FAILED',
          error: failure.name === 'ExecutionTimeoutError' ? 'States.Timeout' : failure.name,
          cause: failure.message,
        });
      },
    );
  }

  private detach(record: ExecutionRecord, issued: Set<string>, notify: boolean): void {
    this.running.delete(record.executionArn);
    // Timed-out tokens stay in expiredTokens so a late answer gets TaskTimedOut, as on AWS.
    for (const token of issued) this.tokens.delete(token);
    if (notify) {
      for (const waiter of this.waiters.get(record.executionArn) ?? []) waiter({ ...record });
      this.waiters.delete(record.executionArn);
    }
  }

  private finish(
    record: ExecutionRecord,
    issued: Set<string>,
    result: Pick<ExecutionRecord, 'status' | 'output' | 'error' | 'cause'>,
  ): void {
    Object.assign(record, result, { stopDate: new Date().toISOString() });
    this.journal(record);
    this.detach(record, issued, true);
  }

  private async runTask(
    record: ExecutionRecord,
    stateName: string,
    task: TaskDef,
    params: JsonObject,
  ): Promise<Json> {
    // A copy without our keys: the engine reads the timeout from the same object after this call starts.
    const carried = Object.values(PATH_TIMEOUT_KEYS) as string[];
    if (carried.some((key) => key in params)) {
      params = Object.fromEntries(
        Object.entries(params).filter(([key]) => !carried.includes(key)),
      ) as JsonObject;
    }
    const resource = task.Resource;
    const waits = resource.endsWith('.waitForTaskToken');
    let pending: PendingTask | undefined;
    let token: string | undefined;
    if (waits) {
      token = findToken(params, this.tokens);
      pending = token ? this.tokens.get(token) : undefined;
      if (!token || !pending || pending.executionArn !== record.executionArn) {
        throw new TaskFailure(
          'States.Runtime',
          `Task "${stateName}" waits for a task token but its Parameters do not pass $$.Task.Token`,
          true,
        );
      }
      pending.claimed = true;
      this.armTimers(token, pending, task);
    }
    const base = resource.replace(/\.waitForTaskToken$/, '');
    const result = await this.invokeResource(record, stateName, base, params, task);
    if (!pending) return result;
    return toJson(await pending.promise);
  }

  /**
   * Heartbeats and the bookkeeping side of timeouts. The engine's own timer raises States.Timeout (its
   * instance is what keeps States.TaskFailed from matching a timeout), so ours only retires the token.
   */
  private armTimers(token: string, pending: PendingTask, task: TaskDef): void {
    const retire = (): void => {
      if (this.tokens.get(token) !== pending) return;
      this.tokens.delete(token);
      this.expiredTokens.add(token);
    };
    if (typeof task.TimeoutSeconds === 'number') {
      const timer = setTimeout(retire, Math.min(task.TimeoutSeconds, MAX_TIMER_SECONDS) * 1000);
      timer.unref();
      pending.promise.finally(() => clearTimeout(timer)).catch(() => undefined);
    }
    if (typeof task.HeartbeatSeconds === 'number') {
      const ms = Math.min(task.HeartbeatSeconds, MAX_TIMER_SECONDS) * 1000;
      let timer: NodeJS.Timeout;
      const expire = (): void => {
        retire();
        pending.reject(
          new TaskFailure('States.HeartbeatTimeout', `No heartbeat within ${task.HeartbeatSeconds} s`),
        );
      };
      timer = setTimeout(expire, ms);
      pending.heartbeat = () => {
        clearTimeout(timer);
        timer = setTimeout(expire, ms);
      };
      pending.promise.finally(() => clearTimeout(timer)).catch(() => undefined);
    }
  }

  private async invokeResource(
    record: ExecutionRecord,
    stateName: string,
    base: string,
    params: JsonObject,
    task: TaskDef,
  ): Promise<Json> {
    if (base === 'arn:aws:states:::lambda:invoke') {
      if (typeof params.FunctionName !== 'string') {
        throw new TaskFailure(
          'States.Runtime',
          `Task "${stateName}": Parameters.FunctionName is missing`,
          true,
        );
      }
      const payload = await this.invokeFunction(params.FunctionName, params.Payload ?? {});
      return { ExecutedVersion: '$LATEST', Payload: payload, StatusCode: 200 };
    }
    if (/^arn:aws[\w-]*:lambda:/.test(base)) {
      // A bare Lambda ARN as Resource: the state input is the event and the result is the handler's.
      return this.invokeFunction(base, params);
    }
    if (base.startsWith('arn:aws:states:::states:startExecution')) {
      return this.startChild(record, base, params, task);
    }
    const dynamo = /^arn:aws:states:::dynamodb:(\w+)$/.exec(base);
    if (dynamo) return this.callDynamo(dynamo[1]!, params);
    throw new TaskFailure('States.Runtime', `Task "${stateName}": unsupported resource ${base}`, true);
  }

  private async invokeFunction(functionName: string, payload: Json): Promise<Json> {
    const name = parseFunctionName(functionName);
    const spec = this.functions.get(name);
    if (!spec) {
      throw new TaskFailure('Lambda.ResourceNotFoundException', `Function not found: ${functionName}`);
    }
    const entryUrl = pathToFileURL(resolve(this.rootDir, spec.entry)).href;
    const deadline = Date.now() + spec.timeoutSeconds * 1000;
    const context: LambdaContextFields = {
      functionName: name,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${name}`,
      memoryLimitInMB: String(spec.memoryMb),
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${name}`,
      logStreamName: 'local',
      callbackWaitsForEmptyEventLoop: true,
    };
    let result: unknown;
    try {
      // As JSON text: the handler shares no object with the engine, as it would not in Lambda.
      result = await this.invoker.invoke(entryUrl, JSON.stringify(payload), { ...context, deadline });
    } catch (error) {
      // The Lambda runtime reports `error.name` as errorType, and Step Functions uses it as the Error that
      // Retry/Catch match; the cause is the runtime's JSON error document.
      const { name: errorName, cause } = lambdaCause(error);
      throw new TaskFailure(errorName, cause);
    }
    return toJson(result);
  }

  private async startChild(
    record: ExecutionRecord,
    base: string,
    params: JsonObject,
    task: TaskDef,
  ): Promise<Json> {
    const smArn = params.StateMachineArn;
    if (typeof smArn !== 'string')
      throw new TaskFailure('States.Runtime', 'StateMachineArn is missing', true);
    const inputValue = params.Input ?? {};
    const input = typeof inputValue === 'string' ? inputValue : JSON.stringify(inputValue);
    const name = typeof params.Name === 'string' ? params.Name : undefined;
    let started: { executionArn: string; startDate: string };
    try {
      started = this.startExecution({
        stateMachineArn: smArn,
        name,
        input,
        parentExecutionArn: record.executionArn,
      });
    } catch (error) {
      const existing = name ? this.executions.get(executionArnOf(smArn, name)) : undefined;
      // A parent re-run after a crash meets the child it already started: attach to it instead of failing.
      if (
        error instanceof SfnApiError &&
        error.type === 'ExecutionAlreadyExists' &&
        existing?.input === input
      ) {
        started = { executionArn: existing.executionArn, startDate: existing.startDate };
      } else if (error instanceof SfnApiError) {
        throw new TaskFailure(`StepFunctions.${error.type}Exception`, error.message);
      } else throw error;
    }
    if (!base.includes('.sync')) {
      return { ExecutionArn: started.executionArn, StartDate: Date.parse(started.startDate) };
    }
    const waitMs = Math.min(task.TimeoutSeconds ?? MAX_TIMER_SECONDS, MAX_TIMER_SECONDS) * 1000;
    const done = await this.waitForExecution(started.executionArn, waitMs);
    const parsed = base.endsWith(':2');
    const description: JsonObject = {
      ExecutionArn: done.executionArn,
      StateMachineArn: done.stateMachineArn,
      Name: done.name,
      Status: done.status,
      StartDate: Date.parse(done.startDate),
      StopDate: done.stopDate ? Date.parse(done.stopDate) : null,
      Input: parsed ? (JSON.parse(done.input) as Json) : done.input,
      Output: done.output === undefined ? null : parsed ? (JSON.parse(done.output) as Json) : done.output,
    };
    if (done.status !== 'SUCCEEDED') {
      throw new TaskFailure(
        'States.TaskFailed',
        JSON.stringify({ ...description, Error: done.error ?? null, Cause: done.cause ?? null }),
      );
    }
    return description;
  }

  private async callDynamo(action: string, params: JsonObject): Promise<Json> {
    this.dynamo ??= new DynamoDBClient({});
    const input = params as never;
    try {
      const command =
        action === 'getItem'
          ? new GetItemCommand(input)
          : action === 'putItem'
            ? new PutItemCommand(input)
            : action === 'updateItem'
              ? new UpdateItemCommand(input)
              : new DeleteItemCommand(input);
      const { $metadata: _metadata, ...output } = await this.dynamo.send(command as GetItemCommand);
      return toJson(output);
    } catch (error) {
      // Step Functions prefixes service errors: DynamoDB.ConditionalCheckFailedException, etc.
      const err = error as Error;
      throw new TaskFailure(`DynamoDB.${err.name}`, err.message);
    }
  }
}
