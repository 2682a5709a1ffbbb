/**
 * What the Lambda runtime does for a handler, locally: load its module once (a warm environment keeps it),
 * and call it with the event and a Lambda-shaped context. Shared by the engine's own thread, its handler
 * threads (handler-pool.ts) and the HTTP front door (in the engine's thread): they pick where an
 * invocation runs, not how.
 */
import { InvokeStore, InvokeStoreBase } from '@aws/lambda-invoke-store';

/**
 * Invocations run side by side in one thread here, as on Lambda Managed Instances, whose runtime says so
 * (AWS_LAMBDA_MAX_CONCURRENCY) and runs each one in a context of its own (the InvokeStore). Powertools keeps
 * an invocation's log context there: without it, a line logged by one invocation carried the function name
 * and request id of whichever invocation had started last in the thread. The store is made first (the first
 * to ask for it decides its kind), then the setting, which Powertools reads as "the store is there".
 */
const invokeStore = await InvokeStore.getInstanceAsync(true);
process.env.AWS_LAMBDA_MAX_CONCURRENCY ??= '1000';

/** The data of a Lambda context (its methods are rebuilt where the handler runs). */
export interface LambdaContextFields {
  functionName: string;
  functionVersion: string;
  invokedFunctionArn: string;
  memoryLimitInMB: string;
  awsRequestId: string;
  logGroupName: string;
  logStreamName: string;
  callbackWaitsForEmptyEventLoop: boolean;
}

/** An invocation's context; `deadline` is the epoch ms at which the function's timeout is reached. */
export type InvocationContext = LambdaContextFields & { deadline: number };

/**
 * Runs handlers: `event` is JSON text, as it crosses the Lambda API (the handler shares no object with its
 * caller); resolves with the handler's result, rejects with its error.
 */
export interface HandlerInvoker {
  invoke(entryUrl: string, event: string, context: InvocationContext): Promise<unknown>;
}

type Handler = (event: unknown, context: unknown) => unknown;

/** Handler modules of this thread, by URL. */
const handlers = new Map<string, Promise<Handler>>();

function loadHandler(entryUrl: string): Promise<Handler> {
  let handler = handlers.get(entryUrl);
  if (!handler) {
    handler = import(entryUrl).then((mod: { handler?: unknown }) => {
      if (typeof mod.handler !== 'function')
        throw new Error(`${entryUrl} does not export a handler function`);
      return mod.handler as Handler;
    });
    handlers.set(entryUrl, handler);
    handler.catch(() => handlers.delete(entryUrl));
  }
  return handler;
}

/** Runs the handler exported by `entryUrl` in this thread. */
export async function runHandler(
  entryUrl: string,
  event: string,
  context: InvocationContext,
): Promise<unknown> {
  const { deadline, ...fields } = context;
  const handler = await loadHandler(entryUrl);
  return invokeStore.run({ [InvokeStoreBase.PROTECTED_KEYS.REQUEST_ID]: fields.awsRequestId }, () =>
    handler(JSON.parse(event), {
      ...fields,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    }),
  );
}

/** Handlers in the calling thread (the engine's, the tests' default). */
export const IN_THIS_THREAD: HandlerInvoker = { invoke: runHandler };
