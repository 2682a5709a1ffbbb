import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterEach, describe, expect, it } from 'vitest';
import { SendRateLimiter, sendRawEmail } from '../../../functions/shared/email.ts';
import { TransientError } from '../../../functions/shared/errors.ts';

/** A stand-in SES endpoint on loopback that answers each request from a script of responses. */
async function scriptedSes(responses: { status: number; type?: string; body: object }[]) {
  const received: string[] = [];
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push(body);
      const next = responses[Math.min(received.length - 1, responses.length - 1)]!;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (next.type) headers['x-amzn-errortype'] = next.type;
      response.writeHead(next.status, headers).end(JSON.stringify(next.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const client = (maxAttempts: number) =>
    new SESv2Client({
      endpoint: `http://127.0.0.1:${port}`,
      region: 'ap-southeast-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts,
    });
  return { received, client, close: () => new Promise((resolve) => server.close(resolve)) };
}

const THROTTLED = {
  status: 429,
  type: 'TooManyRequestsException',
  body: { message: 'Maximum sending rate exceeded.' },
};
const MESSAGE = {
  from: 'thongbao@bhxh-demo.vn',
  to: ['ketoan@example.vn'],
  raw: Buffer.from('Subject: x\r\n\r\nx'),
};

describe('sendRawEmail', () => {
  let close: (() => Promise<unknown>) | undefined;
  afterEach(async () => close?.());

  it('retries SES throttling with backoff and succeeds', async () => {
    const ses = await scriptedSes([THROTTLED, THROTTLED, { status: 200, body: { MessageId: 'msg-1' } }]);
    close = ses.close;
    const started = Date.now();
    const outcome = await sendRawEmail(ses.client(8), MESSAGE);
    expect(outcome).toEqual({ status: 'SENT', messageId: 'msg-1' });
    expect(ses.received).toHaveLength(3);
    expect(Date.now() - started).toBeGreaterThan(0);
  });

  it('records a rejected address once and does not retry it', async () => {
    const ses = await scriptedSes([
      { status: 400, type: 'MessageRejected', body: { message: 'Email address is not verified.' } },
    ]);
    close = ses.close;
    const outcome = await sendRawEmail(ses.client(8), MESSAGE);
    expect(outcome.status).toBe('REJECTED');
    expect(outcome.status === 'REJECTED' && outcome.reason).toContain('MessageRejected');
    expect(ses.received).toHaveLength(1);
  });

  it('turns throttling that outlasts the retries into a TransientError for the workflow to retry', async () => {
    const ses = await scriptedSes([THROTTLED]);
    close = ses.close;
    await expect(sendRawEmail(ses.client(2), MESSAGE)).rejects.toBeInstanceOf(TransientError);
    expect(ses.received).toHaveLength(2);
  });
});

describe('SendRateLimiter', () => {
  it('spaces sends evenly under the quota', async () => {
    const limiter = new SendRateLimiter(10, () => 0);
    const waits: number[] = [];
    const originalSetTimeout = globalThis.setTimeout;
    // Record the waits the limiter asks for instead of sleeping.
    globalThis.setTimeout = ((callback: () => void, ms: number) => {
      waits.push(ms);
      callback();
      return 0;
    }) as unknown as typeof setTimeout;
    try {
      for (let i = 0; i < 4; i++) await limiter.acquire();
    } finally {
      globalThis.setTimeout = originalSetTimeout;
    }
    expect(waits).toEqual([100, 200, 300]);
  });
});
