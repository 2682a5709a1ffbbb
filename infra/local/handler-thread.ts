/**
 * One handler thread of the local engine (handler-pool.ts): what a Lambda execution environment is in the
 * cloud. It loads handler modules on first use, keeps them (a warm sandbox: clients, fonts and config built
 * once), and runs each invocation it is given with a Lambda-shaped context. Events and results cross the
 * thread boundary as JSON text, as they cross the Lambda API; an error crosses as the runtime's error
 * document (name, message, stack), the name being what Step Functions' Retry and Catch match.
 */
import { parentPort } from 'node:worker_threads';
import type { HandlerInvocation, HandlerReply } from './handler-pool.ts';

type Handler = (event: unknown, context: unknown) => unknown;

const handlers = new Map<string, Promise<Handler>>();

function load(entryUrl: string): Promise<Handler> {
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

async function invoke(message: HandlerInvocation): Promise<HandlerReply> {
  const { deadline, ...fields } = message.context;
  const context = {
    ...fields,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  try {
    const handler = await load(message.entryUrl);
    const result = await handler(JSON.parse(message.event), context);
    return { id: message.id, ok: true, result: result === undefined ? undefined : JSON.stringify(result) };
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    return { id: message.id, ok: false, error: { name: err.name, message: err.message, stack: err.stack } };
  }
}

parentPort!.on('message', (message: HandlerInvocation) => {
  void invoke(message).then((reply) => parentPort!.postMessage(reply));
});
