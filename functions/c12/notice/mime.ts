/**
 * A complete MIME message for SES v2 `SendEmail` with `Content.Raw`: the only SES content type that carries
 * attachments, and the one the local aws-ses-v2-local emulator stores as is.
 */
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { EmailAttachment } from './email.ts';

export interface RawMessageInput {
  from: string;
  to: string[];
  subject: string;
  html: string;
  text: string;
  attachments: EmailAttachment[];
  /** SES configuration set (tracking off, event destinations); the header is left out when there is none. */
  configurationSet?: string | undefined;
  headers?: Record<string, string> | undefined;
}

export async function buildRawMessage(input: RawMessageInput): Promise<Buffer> {
  const headers: Record<string, string> = { ...input.headers };
  if (input.configurationSet) headers['X-SES-CONFIGURATION-SET'] = input.configurationSet;
  const composer = new MailComposer({
    from: input.from,
    to: input.to,
    subject: input.subject,
    html: input.html,
    text: input.text,
    // Base64 keeps the Vietnamese text intact through any relay, whatever its line-length handling.
    textEncoding: 'base64',
    attachments: input.attachments.map((attachment) => ({
      filename: attachment.filename,
      content: attachment.content,
      contentType: attachment.contentType,
    })),
    headers,
  });
  return composer.compile().build();
}
