/**
 * One handler thread of the local engine (handler-pool.ts): what a Lambda execution environment is in the
 * cloud. It runs each invocation it is given as the runtime would (lambda-runtime.ts), keeping the handler
 * modules warm (clients, fonts and config built once). Results cross the thread boundary as JSON text, as
 * they cross the Lambda API; an error crosses as the runtime's error document (name, message, stack), the
 * name being what Step Functions' Retry and Catch match.
 */
import { parentPort } from 'node:worker_threads';
import type { HandlerInvocation, HandlerReply } from './handler-pool.ts';
import { runHandler } from './lambda-runtime.ts';

async function invoke(message: HandlerInvocation): Promise<HandlerReply> {
  try {
    const result = await runHandler(message.entryUrl, message.event, message.context);
    return { id: message.id, ok: true, result: result === undefined ? undefined : JSON.stringify(result) };
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    return { id: message.id, ok: false, error: { name: err.name, message: err.message, stack: err.stack } };
  }
}

parentPort!.on('message', (message: HandlerInvocation) => {
  void invoke(message).then((reply) => parentPort!.postMessage(reply));
});
