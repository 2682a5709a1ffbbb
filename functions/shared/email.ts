/**
 * Sending one email through SES v2 `SendEmail` with `Content.Simple`: subject, text and HTML parts and
 * attachments, which SES assembles into MIME (attachments in Simple content since 2025). The local
 * emulator stores such a message as it is, without parsing MIME, which kept the embedded run's mailbox
 * the costliest part of a notice. Throttling is retried with backoff by the SDK client (see aws.ts); what
 * is left is classified: a rejected message is final and recorded, an account-level fault stops the run
 * (EmailConfigurationError), a persistent throttle or outage becomes a TransientError for the workflow to
 * retry.
 */
import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { EmailConfigurationError, TransientError } from './errors.ts';

export interface EmailAttachment {
  filename: string;
  content: Uint8Array;
  contentType: string;
}

export interface OutgoingEmail {
  from: string;
  to: string[];
  /** In copy, seen by every recipient (the "Nơi nhận" of an official letter). */
  cc?: string[] | undefined;
  subject: string;
  text: string;
  html: string;
  attachments: EmailAttachment[];
  /** SES configuration set (open and click tracking off, event destinations). */
  configurationSet?: string | undefined;
}

export type SendOutcome = { status: 'SENT'; messageId: string } | { status: 'REJECTED'; reason: string };

/** SES refused this message or its recipient: record it and go on with the next employer. */
const MESSAGE_ERRORS = new Set(['MessageRejected']);

/**
 * A `MessageRejected` that is about the account, not this message: the sender identity not verified (or
 * verified in another region), or, in the SES sandbox, a recipient that is not a verified identity; and
 * sending paused or disabled. Every notice would meet it, so it must stop the run with the notices left to
 * send, not mark each employer's address as rejected for good.
 */
const ACCOUNT_LEVEL_REJECTION = /not verified|sandbox|sending (is )?(paused|suspended|disabled)/i;

/** A `BadRequestException` naming an address SES cannot parse: this recipient's, so recorded like a rejection. */
const MALFORMED_ADDRESS = /address|domain|@/i;

/** SES cannot send anything: stop, and leave the notices to send once the account is fixed. */
const ACCOUNT_ERRORS = new Set([
  // The role may not send from this identity, or (in the SES sandbox) to a recipient that is not one.
  'AccessDeniedException',
  'AccountSuspendedException',
  'SendingPausedException',
  'MailFromDomainNotVerifiedException',
  'NotFoundException',
]);

export async function sendEmail(ses: SESv2Client, message: OutgoingEmail): Promise<SendOutcome> {
  try {
    const result = await ses.send(
      new SendEmailCommand({
        FromEmailAddress: message.from,
        Destination: {
          ToAddresses: message.to,
          CcAddresses: message.cc?.length ? message.cc : undefined,
        },
        Content: {
          Simple: {
            Subject: { Data: message.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: message.text, Charset: 'UTF-8' },
              Html: { Data: message.html, Charset: 'UTF-8' },
            },
            Attachments: message.attachments.length
              ? message.attachments.map((attachment) => ({
                  FileName: attachment.filename,
                  RawContent: attachment.content,
                  ContentType: attachment.contentType,
                  ContentDisposition: 'ATTACHMENT',
                  ContentTransferEncoding: 'BASE64',
                }))
              : undefined,
          },
        },
        ConfigurationSetName: message.configurationSet,
      }),
    );
    return { status: 'SENT', messageId: result.MessageId ?? '' };
  } catch (error) {
    const name = (error as Error)?.name ?? 'Error';
    const message = (error as Error)?.message ?? String(error);
    const detail = `${name}: ${message}`;
    if (ACCOUNT_ERRORS.has(name) || (MESSAGE_ERRORS.has(name) && ACCOUNT_LEVEL_REJECTION.test(message)))
      throw new EmailConfigurationError(`SES cannot send: ${detail}`);
    if (MESSAGE_ERRORS.has(name)) return { status: 'REJECTED', reason: detail };
    if (name === 'BadRequestException' && MALFORMED_ADDRESS.test(message))
      return { status: 'REJECTED', reason: detail };
    throw new TransientError(`SES send failed (${detail})`);
  }
}

/**
 * Keeps sends under the SES quota: at most `perSecond` starts per second for this process, spaced evenly.
 */
export class SendRateLimiter {
  private next = 0;
  private readonly spacingMs: number;

  constructor(
    perSecond: number,
    private readonly now: () => number = Date.now,
  ) {
    this.spacingMs = 1000 / perSecond;
  }

  /** Waits for the slot of a message to `recipients` addresses (SES counts each recipient a send). */
  async acquire(recipients = 1): Promise<void> {
    const now = this.now();
    const slot = Math.max(now, this.next);
    this.next = slot + this.spacingMs * recipients;
    if (slot > now) await new Promise((resolve) => setTimeout(resolve, slot - now));
  }
}
