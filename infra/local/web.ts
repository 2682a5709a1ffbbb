/**
 * The embedded stack's HTTP front door on 127.0.0.1: what API Gateway or a Lambda function URL does in the
 * cloud. Each request becomes the same event (payload format 2.0) the deployed function receives, and the
 * handler's result becomes the response: the handler cannot tell where it runs.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { IN_THIS_THREAD, type LambdaContextFields } from './lambda-runtime.ts';

export interface HttpRoute {
  /** Path prefix, e.g. `/approvals/`. */
  prefix: string;
  /** Handler module (repository-relative) exporting `handler(event, context)`. */
  entry: string;
}

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A function URL's timeout here: the approval page's Lambda answers within it or not at all. */
const TIMEOUT_MS = 30_000;

interface Result {
  statusCode?: number;
  headers?: Record<string, string | number | boolean>;
  body?: string;
  isBase64Encoded?: boolean;
}

/** Requests larger than this are refused before reaching a handler (function URLs allow 6 MB). */
const MAX_BODY_BYTES = 64 * 1024;

function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function contextFields(functionName: string): LambdaContextFields {
  return {
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
  };
}

/**
 * Serves `routes` on `host:port`. The handlers run in this thread: on the engine's handler threads an
 * approver's request would queue behind the workflow steps (in the cloud each function URL has its own
 * Lambda concurrency).
 */
export async function startWeb(
  routes: readonly HttpRoute[],
  port: number,
  host = '127.0.0.1',
): Promise<{ url: string; close(): Promise<void> }> {
  const invoke = (route: HttpRoute, event: unknown): Promise<unknown> =>
    IN_THIS_THREAD.invoke(pathToFileURL(resolve(REPO_ROOT, route.entry)).href, JSON.stringify(event), {
      ...contextFields(`dondoc-web${route.prefix.replaceAll('/', '-')}`),
      deadline: Date.now() + TIMEOUT_MS,
    });
  const server: Server = createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? '/', `http://${host}`);
      const route = routes.find((candidate) => url.pathname.startsWith(candidate.prefix));
      if (!route) {
        response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not found');
        return;
      }
      const body = await readBody(request);
      if (!body) {
        response.writeHead(413, { 'content-type': 'text/plain; charset=utf-8' }).end('Request too large');
        return;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
      }
      const event = {
        version: '2.0',
        routeKey: '$default',
        rawPath: url.pathname,
        rawQueryString: url.search.slice(1),
        headers,
        requestContext: {
          http: {
            method: request.method ?? 'GET',
            path: url.pathname,
            sourceIp: request.socket.remoteAddress,
          },
        },
        body: body.toString('base64'),
        isBase64Encoded: true,
      };
      const result = ((await invoke(route, event)) ?? {}) as Result;
      const payload = result.body ?? '';
      response.writeHead(
        result.statusCode ?? 200,
        Object.fromEntries(
          Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)]),
        ),
      );
      response.end(result.isBase64Encoded ? Buffer.from(payload, 'base64') : payload);
    })().catch(() => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
      response.end('Internal error');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${bound}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
