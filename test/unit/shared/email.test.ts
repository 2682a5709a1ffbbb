import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SendRateLimiter, sendEmail, type OutgoingEmail } from '../../../functions/shared/email.ts';
import { EmailConfigurationError, TransientError } from '../../../functions/shared/errors.ts';
import { awsClients, resetAwsClients } from '../../../functions/shared/aws.ts';

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
  return { received, port, client, close: () => new Promise((resolve) => server.close(resolve)) };
}

const THROTTLED = {
  status: 429,
  type: 'TooManyRequestsException',
  body: { message: 'Maximum sending rate exceeded.' },
};
const MESSAGE: OutgoingEmail = {
  from: 'thongbao@bhxh-demo.vn',
  to: ['ketoan@example.vn'],
  subject: 'Thông báo C12-TS tháng 11/2026',
  text: 'Số tiền phải đóng: 19.580.000 đ',
  html: '<p>Số tiền phải đóng: 19.580.000 đ</p>',
  attachments: [
    { filename: 'C12-TS.pdf', content: Buffer.from('%PDF-1.4 toy'), contentType: 'application/pdf' },
  ],
  configurationSet: 'dondoc-no-tracking',
};

describe('sendEmail', () => {
  let close: (() => Promise<unknown>) | undefined;
  afterEach(async () => close?.());

  it('sends Simple content: UTF-8 subject and both parts, the attachment base64, the configuration set', async () => {
    const ses = await scriptedSes([{ status: 200, body: { MessageId: 'msg-0' } }]);
    close = ses.close;
    expect(await sendEmail(ses.client(1), MESSAGE)).toEqual({ status: 'SENT', messageId: 'msg-0' });
    const request = JSON.parse(ses.received[0]!);
    expect(request).toMatchObject({
      FromEmailAddress: 'thongbao@bhxh-demo.vn',
      Destination: { ToAddresses: ['ketoan@example.vn'] },
      ConfigurationSetName: 'dondoc-no-tracking',
      Content: {
        Simple: {
          Subject: { Data: MESSAGE.subject, Charset: 'UTF-8' },
          Body: {
            Text: { Data: MESSAGE.text, Charset: 'UTF-8' },
            Html: { Data: MESSAGE.html, Charset: 'UTF-8' },
          },
          Attachments: [
            {
              FileName: 'C12-TS.pdf',
              ContentType: 'application/pdf',
              ContentDisposition: 'ATTACHMENT',
              RawContent: Buffer.from('%PDF-1.4 toy').toString('base64'),
            },
          ],
        },
      },
    });
  });

  it('sends no attachment list when there is nothing attached', async () => {
    const ses = await scriptedSes([{ status: 200, body: { MessageId: 'msg-1' } }]);
    close = ses.close;
    await sendEmail(ses.client(1), { ...MESSAGE, attachments: [] });
    expect(JSON.parse(ses.received[0]!).Content.Simple).not.toHaveProperty('Attachments');
  });
});

describe('sendEmail failures', () => {
  let close: (() => Promise<unknown>) | undefined;
  afterEach(async () => close?.());

  it('retries SES throttling with backoff and succeeds', async () => {
    const ses = await scriptedSes([THROTTLED, THROTTLED, { status: 200, body: { MessageId: 'msg-1' } }]);
    close = ses.close;
    // The SDK's standard strategy waits random() * 2^attempt * 500 ms after a throttle: with random() at
    // 0.5, 250 ms then 500 ms. Without backoff the three requests would take a few milliseconds.
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.5);
    const started = performance.now();
    const outcome = await sendEmail(ses.client(8), MESSAGE).finally(() => random.mockRestore());
    expect(outcome).toEqual({ status: 'SENT', messageId: 'msg-1' });
    expect(ses.received).toHaveLength(3);
    expect(performance.now() - started).toBeGreaterThanOrEqual(700);
  });

  it('the handlers’ own SES client rides out seven throttles in a row (eight attempts)', async () => {
    const ses = await scriptedSes([
      ...Array(7).fill(THROTTLED),
      { status: 200, body: { MessageId: 'msg-8' } },
    ]);
    close = ses.close;
    const env = {
      AWS_ENDPOINT_URL_SESV2: `http://127.0.0.1:${ses.port}`,
      AWS_REGION: 'ap-southeast-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    };
    const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
    Object.assign(process.env, env);
    resetAwsClients();
    // No wait between attempts (random() = 0): the count of attempts is what is tested here.
    const random = vi.spyOn(Math, 'random').mockReturnValue(0);
    try {
      expect(await sendEmail(awsClients().ses, MESSAGE)).toEqual({ status: 'SENT', messageId: 'msg-8' });
      expect(ses.received).toHaveLength(8);
    } finally {
      random.mockRestore();
      for (const [key, value] of Object.entries(saved))
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      resetAwsClients();
    }
  });

  it.each([
    ['MessageRejected', 'Address blacklisted.'],
    ['BadRequestException', "Missing final '@domain'"],
    ['BadRequestException', 'Illegal address'],
  ])('records a rejected address (%s: %s) once and does not retry it', async (type, message) => {
    const ses = await scriptedSes([{ status: 400, type, body: { message } }]);
    close = ses.close;
    const outcome = await sendEmail(ses.client(8), MESSAGE);
    expect(outcome).toEqual({ status: 'REJECTED', reason: `${type}: ${message}` });
    expect(ses.received).toHaveLength(1);
  });

  // Every notice would meet these: the run must stop with its notices left to send, not mark each
  // employer's address as rejected for good.
  it.each([
    [
      'an unverified sender',
      'MessageRejected',
      'Email address is not verified. The following identities failed the check in region AP-SOUTHEAST-1: thongbao@bhxh-demo.vn',
    ],
    [
      'a recipient outside the sandbox',
      'MessageRejected',
      'Email address is not verified. The following identities failed the check in region AP-SOUTHEAST-1: ketoan@example.vn',
    ],
    ['sending paused for the account', 'MessageRejected', 'Sending paused for this account.'],
    ['a paused account', 'SendingPausedException', 'Sending is paused for this account.'],
    [
      'a role that may not send (or not to this recipient, in the sandbox)',
      'AccessDeniedException',
      'User is not authorized to perform ses:SendEmail on resource arn:aws:ses:ap-southeast-1:123456789012:identity/ketoan@example.vn',
    ],
    [
      'a missing configuration set',
      'NotFoundException',
      'Configuration set dondoc-no-tracking does not exist.',
    ],
  ])('stops on %s with an EmailConfigurationError, sending once', async (_case, type, message) => {
    const ses = await scriptedSes([{ status: 400, type, body: { message } }]);
    close = ses.close;
    const sent = sendEmail(ses.client(8), MESSAGE);
    await expect(sent).rejects.toBeInstanceOf(EmailConfigurationError);
    await expect(sent).rejects.toThrow(message);
    expect(ses.received).toHaveLength(1);
  });

  it('leaves any other bad request to the workflow to retry', async () => {
    const ses = await scriptedSes([
      { status: 400, type: 'BadRequestException', body: { message: 'Message length exceeds 40 MB.' } },
    ]);
    close = ses.close;
    await expect(sendEmail(ses.client(8), MESSAGE)).rejects.toBeInstanceOf(TransientError);
  });

  it('turns throttling that outlasts the retries into a TransientError for the workflow to retry', async () => {
    const ses = await scriptedSes([THROTTLED]);
    close = ses.close;
    await expect(sendEmail(ses.client(2), MESSAGE)).rejects.toBeInstanceOf(TransientError);
    expect(ses.received).toHaveLength(2);
  });
});

/** The waits the limiter asks for while `run` acquires, recorded instead of slept. */
async function waitsOf(run: () => Promise<void>): Promise<number[]> {
  const waits: number[] = [];
  const originalSetTimeout = globalThis.setTimeout;
  globalThis.setTimeout = ((callback: () => void, ms: number) => {
    waits.push(ms);
    callback();
    return 0;
  }) as unknown as typeof setTimeout;
  try {
    await run();
  } finally {
    globalThis.setTimeout = originalSetTimeout;
  }
  return waits;
}

describe('SendRateLimiter', () => {
  it('spaces sends evenly under the quota', async () => {
    const limiter = new SendRateLimiter(10, () => 0);
    const waits = await waitsOf(async () => {
      for (let i = 0; i < 4; i++) await limiter.acquire();
    });
    expect(waits).toEqual([100, 200, 300]);
  });

  it('counts every recipient of a message as a send, as SES does', async () => {
    const limiter = new SendRateLimiter(10, () => 0);
    const waits = await waitsOf(async () => {
      await limiter.acquire(3); // the employer and two authorities in copy
      await limiter.acquire();
      await limiter.acquire();
    });
    expect(waits).toEqual([300, 400]);
  });
});
