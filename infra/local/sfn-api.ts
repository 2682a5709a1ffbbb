/**
 * A small HTTP endpoint that speaks the Step Functions JSON 1.0 protocol (`X-Amz-Target:
 * AWSStepFunctions.<Op>`), so `@aws-sdk/client-sfn` works unchanged against the local engine. Requests are
 * not authenticated (loopback only). `GET /executions` lists the journal with transition counts, for
 * humans and the benchmark.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SfnApiError } from './sfn-engine.ts';
import type { ExecutionRecord, ExecutionStatus, LocalSfnEngine } from './sfn-engine.ts';
import { LOCAL_HOST, closeServer } from './emulators.ts';

export interface SfnApi {
  url: string;
  port: number;
  server: Server;
  close(): Promise<void>;
}

/** The JSON protocol carries timestamps as epoch seconds. */
const epoch = (iso: string | undefined): number | undefined => (iso ? Date.parse(iso) / 1000 : undefined);

function describe(record: ExecutionRecord): Record<string, unknown> {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: epoch(record.startDate),
    stopDate: epoch(record.stopDate),
    input: record.input,
    inputDetails: { included: true },
    ...(record.output !== undefined ? { output: record.output, outputDetails: { included: true } } : {}),
    ...(record.error !== undefined ? { error: record.error } : {}),
    ...(record.cause !== undefined ? { cause: record.cause } : {}),
    redriveCount: 0,
  };
}

function listItem(record: ExecutionRecord): Record<string, unknown> {
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: epoch(record.startDate),
    stopDate: epoch(record.stopDate),
  };
}

function requireString(body: Record<string, unknown>, field: string): string {
  const value = body[field];
  if (typeof value !== 'string' || value === '') {
    throw new SfnApiError(
      'ValidationException',
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

/** Pages are opaque to clients: the offset into the (newest first) list. */
function page<T>(items: T[], maxResults: unknown, nextToken: unknown): { items: T[]; nextToken?: string } {
  const size = typeof maxResults === 'number' && maxResults > 0 ? Math.min(maxResults, 1000) : 100;
  const start =
    typeof nextToken === 'string' ? Number(Buffer.from(nextToken, 'base64url').toString()) || 0 : 0;
  const slice = items.slice(start, start + size);
  const next =
    start + size < items.length ? Buffer.from(String(start + size)).toString('base64url') : undefined;
  return { items: slice, ...(next ? { nextToken: next } : {}) };
}

function operations(engine: LocalSfnEngine): Record<string, (body: Record<string, unknown>) => unknown> {
  return {
    StartExecution: (body) => {
      const started = engine.startExecution({
        stateMachineArn: requireString(body, 'stateMachineArn'),
        ...(typeof body.name === 'string' ? { name: body.name } : {}),
        ...(typeof body.input === 'string' ? { input: body.input } : {}),
      });
      return { executionArn: started.executionArn, startDate: epoch(started.startDate) };
    },
    DescribeExecution: (body) => describe(engine.describeExecution(requireString(body, 'executionArn'))),
    ListExecutions: (body) => {
      const records = engine.listExecutions({
        ...(typeof body.stateMachineArn === 'string' ? { stateMachineArn: body.stateMachineArn } : {}),
        ...(typeof body.statusFilter === 'string'
          ? { statusFilter: body.statusFilter as ExecutionStatus }
          : {}),
      });
      const { items, nextToken } = page(records, body.maxResults, body.nextToken);
      return { executions: items.map(listItem), ...(nextToken ? { nextToken } : {}) };
    },
    ListStateMachines: (body) => {
      const { items, nextToken } = page(engine.listStateMachines(), body.maxResults, body.nextToken);
      return {
        stateMachines: items.map((m) => ({ ...m, creationDate: epoch(m.creationDate) })),
        ...(nextToken ? { nextToken } : {}),
      };
    },
    DescribeStateMachine: (body) => {
      const workflow = engine.workflow(requireString(body, 'stateMachineArn'));
      return {
        stateMachineArn: workflow.stateMachineArn,
        name: workflow.name,
        status: 'ACTIVE',
        definition: JSON.stringify(workflow.definition),
        roleArn: 'arn:aws:iam::000000000000:role/dondoc-local',
        type: 'STANDARD',
        creationDate: epoch(workflow.creationDate),
      };
    },
    SendTaskSuccess: (body) => {
      engine.sendTaskSuccess(requireString(body, 'taskToken'), requireString(body, 'output'));
      return {};
    },
    SendTaskFailure: (body) => {
      engine.sendTaskFailure(
        requireString(body, 'taskToken'),
        typeof body.error === 'string' ? body.error : undefined,
        typeof body.cause === 'string' ? body.cause : undefined,
      );
      return {};
    },
    SendTaskHeartbeat: (body) => {
      engine.sendTaskHeartbeat(requireString(body, 'taskToken'));
      return {};
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.0',
    'content-length': Buffer.byteLength(text),
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  res.end(text);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function startSfnApi(engine: LocalSfnEngine, port = 8083, host = LOCAL_HOST): Promise<SfnApi> {
  const ops = operations(engine);
  const server = createServer((req, res) => {
    void (async () => {
      try {
        if (req.method === 'GET' && req.url?.startsWith('/executions')) {
          return send(res, 200, { executions: engine.listExecutions() });
        }
        const target = String(req.headers['x-amz-target'] ?? '');
        const op = target.startsWith('AWSStepFunctions.')
          ? ops[target.slice('AWSStepFunctions.'.length)]
          : undefined;
        if (req.method !== 'POST' || !op) {
          const message = `Operation ${target || req.method + ' ' + req.url} is not implemented by the local endpoint`;
          return send(
            res,
            400,
            { __type: 'UnknownOperationException', message },
            'UnknownOperationException',
          );
        }
        const text = await readBody(req);
        let body: Record<string, unknown>;
        try {
          body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
        } catch {
          return send(
            res,
            400,
            { __type: 'SerializationException', message: 'Body is not JSON' },
            'SerializationException',
          );
        }
        send(res, 200, op(body));
      } catch (error) {
        if (error instanceof SfnApiError) {
          return send(res, 400, { __type: error.type, message: error.message }, error.type);
        }
        const message = error instanceof Error ? error.message : String(error);
        send(res, 500, { __type: 'InternalFailure', message }, 'InternalFailure');
      }
    })();
  });
  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(port, host, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  return { url: `http://${host}:${actualPort}`, port: actualPort, server, close: () => closeServer(server) };
}
