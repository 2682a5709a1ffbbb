/**
 * The embedded default stack: emulators, the local Step Functions engine and its API, wired to handlers only
 * through the standard AWS_ENDPOINT_URL_* variables. `npm start` and the integration tests both start it.
 *
 * Typical use: `const stack = await startLocalStack({ dataDir })`, then `new SFNClient({})` (the variables
 * are set) -> StartExecution -> poll DescribeExecution; `stack.stop()` on SIGINT.
 */
import './polyfills.ts';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { ScheduleRepository } from '../../functions/schedules/repository.ts';
import { awsClients, resetAwsClients } from '../../functions/shared/aws.ts';
import { localEnv, startEmulators } from './emulators.ts';
import type { EmulatorPorts } from './emulators.ts';
import { LocalScheduler } from './scheduler.ts';
import { LocalSfnEngine, stateMachineArn } from './sfn-engine.ts';
import type { Registry } from './sfn-engine.ts';
import { startSfnApi } from './sfn-api.ts';
import { startWeb, type HttpRoute } from './web.ts';

/** What the local front door serves: the same handlers as the cloud's function URLs. */
export const WEB_ROUTES: HttpRoute[] = [
  { prefix: '/approvals/', entry: 'functions/approvals/handlers/http.ts' },
  { prefix: '/admin', entry: 'functions/schedules/handlers/admin-http.ts' },
  { prefix: '/cong-khai/', entry: 'functions/escalation/handlers/public-list.ts' },
];

export interface StackPorts extends EmulatorPorts {
  sfn?: number;
  /** The HTTP front door (approval links). */
  web?: number;
}

/** Fixed ports for `npm start` (the mailbox page is the SES emulator's, at 8005). */
export const DEFAULT_PORTS: Required<StackPorts> = { dynamodb: 8000, ses: 8005, sfn: 8083, web: 8090 };
/** Free ports, for tests that run next to each other. */
export const FREE_PORTS: Required<StackPorts> = { dynamodb: 0, ses: 0, sfn: 0, web: 0 };

/**
 * Handler threads for a stack that runs the real processes: DONDOC_HANDLER_THREADS, or one per core but
 * one (left to the engine and the emulators), at least 1 and at most 3. Each thread holds its own warm
 * handlers, ~270 MB more in the process during a monthly run (465 MB with one thread): three keep the
 * process near 1 GB, under the 1.5 GB a run may take. On 2 cores one thread beats two: the second
 * thread's JIT, heap and clients cost more CPU than the overlap gains.
 */
export function handlerThreadsOfMachine(env: NodeJS.ProcessEnv = process.env): number {
  const asked = env.DONDOC_HANDLER_THREADS;
  if (asked !== undefined && asked !== '') {
    const threads = Number(asked);
    if (!Number.isInteger(threads) || threads < 0)
      throw new Error(
        `DONDOC_HANDLER_THREADS must be a whole number (0: the engine's own thread), got "${asked}"`,
      );
    return threads;
  }
  return Math.min(3, Math.max(1, availableParallelism() - 1));
}

export interface LocalStackOptions {
  /** Everything durable lives here: dynalite's LevelDB and the execution journal. */
  dataDir: string;
  ports?: StackPorts;
  /** Workflows to run; defaults to the project's WORKFLOWS (tests pass a toy registry). */
  registry?: Registry;
  /** Root that the registry's paths are relative to; defaults to the repository root. */
  rootDir?: string;
  /** Fixed delay before every Task retry (tests); unset keeps the definition's back-off. */
  retryDelayMs?: number;
  /**
   * Threads running the Lambda handlers (see handler-pool.ts); 0, the default, runs them in the engine's
   * thread (tests that share state with toy handlers). npm start and the bench use handlerThreadsOfMachine().
   */
  handlerThreads?: number;
  /** Re-run executions a crash left RUNNING (default true). */
  resume?: boolean;
  /**
   * Fire the schedule records (the local EventBridge Scheduler). Off unless asked: npm start turns it on;
   * tests drive LocalScheduler with their own clock rather than race the real one.
   */
  scheduler?: boolean;
}

export interface LocalStack {
  env: Record<string, string>;
  endpoints: { dynamodb: string; sesv2: string; sfn: string };
  engine: LocalSfnEngine;
  /** aws-ses-v2-local's JSON view of the mailbox. */
  sesStoreUrl: string;
  /** The mailbox page. */
  mailboxUrl: string;
  /** The HTTP front door: approval links start with `${webUrl}/approvals/`. */
  webUrl: string;
  /** Execution ARNs re-run because a crash had left them RUNNING. */
  resumed: string[];
  /** Signs in to the admin pages and API (`${webUrl}/admin/login?token=…`, or `Authorization: Bearer …`). */
  adminToken: string;
  /** The local scheduler, when `scheduler: true`. */
  scheduler?: LocalScheduler | undefined;
  stop(): Promise<void>;
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const dataDir = resolve(options.dataDir);
  const ports = { ...DEFAULT_PORTS, ...options.ports };
  const emulators = await startEmulators({ dataDir, ports });
  let engine: LocalSfnEngine | undefined;
  let api: Awaited<ReturnType<typeof startSfnApi>> | undefined;
  let web: Awaited<ReturnType<typeof startWeb>> | undefined;
  const previousEnv = new Map<string, string | undefined>();
  try {
    // Loading the engine checks every workflow (JSONata, unsupported resources) before anything is served.
    engine = LocalSfnEngine.create({
      dataDir,
      ...(options.registry ? { registry: options.registry } : {}),
      ...(options.rootDir ? { rootDir: options.rootDir } : {}),
      ...(options.retryDelayMs !== undefined ? { retryDelayMs: options.retryDelayMs } : {}),
      ...(options.handlerThreads ? { handlerThreads: options.handlerThreads } : {}),
    });
    api = await startSfnApi(engine, ports.sfn);
    // The front door's handlers run in this thread (web.ts): decisions under 50 clients, each resuming its
    // run, 119 -> 314-326/s on 2 cores against the handler threads.
    web = await startWeb(WEB_ROUTES, ports.web, '127.0.0.1');
    const endpoints = { ...emulators.endpoints, sfn: api.url };
    // The local SES has no sending quota: pace sends only if asked to (SES_MAX_SEND_RATE). Links in mail
    // point at the local front door.
    const env = {
      ...localEnv(endpoints),
      SES_MAX_SEND_RATE: process.env.SES_MAX_SEND_RATE ?? '1000',
      PUBLIC_BASE_URL: web.url,
      // A fresh admin token per start unless one is given: it is printed, never stored.
      ADMIN_TOKEN: process.env.ADMIN_TOKEN ?? randomBytes(32).toString('base64url'),
    };
    // Handlers build their clients on first use from these variables; drop clients built before.
    for (const [key, value] of Object.entries(env)) {
      previousEnv.set(key, process.env[key]);
      process.env[key] = value;
    }
    resetAwsClients();
    const resumed = options.resume === false ? [] : engine.resumeInterrupted();
    const scheduler = options.scheduler
      ? new LocalScheduler({
          repository: new ScheduleRepository(awsClients().dynamo),
          sfn: awsClients().sfn,
          stateMachineArn: (workflow) => stateMachineArn(workflow),
          onError: (error) => console.error(`local scheduler: ${(error as Error)?.message ?? String(error)}`),
        })
      : undefined;
    scheduler?.start();

    let stopping: Promise<void> | undefined;
    const runningEngine = engine;
    const runningApi = api;
    const runningWeb = web;
    const stop = (): Promise<void> =>
      (stopping ??= (async () => {
        // Scheduler, front door, then engine: nothing new starts, and executions stop before the services
        // they call go away (they stay RUNNING in the journal and are resumed by the next stack on this folder).
        await scheduler?.stop();
        await runningWeb.close();
        await runningEngine.close();
        await runningApi.close();
        await emulators.stop();
        for (const [key, value] of previousEnv) {
          if (value === undefined) delete process.env[key];
          else process.env[key] = value;
        }
        resetAwsClients();
      })());

    return {
      env,
      endpoints,
      engine,
      sesStoreUrl: `${endpoints.sesv2}/store`,
      mailboxUrl: endpoints.sesv2,
      webUrl: web.url,
      resumed,
      adminToken: env.ADMIN_TOKEN,
      scheduler,
      stop,
    };
  } catch (error) {
    await web?.close();
    await engine?.close();
    await api?.close();
    await emulators.stop();
    for (const [key, value] of previousEnv) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    throw error;
  }
}
