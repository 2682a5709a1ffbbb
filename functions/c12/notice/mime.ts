/**
 * A complete MIME message for SES v2 `SendEmail` with `Content.Raw`: the only SES content type that carries
 * attachments, and the one the local aws-ses-v2-local emulator stores as is.
 *
 * Written directly rather than with nodemailer's MailComposer: the message always has the same shape
 * (multipart/mixed > multipart/alternative (text, html) + attachments, all base64), and MailComposer's
 * streams and per-line transforms cost ~2 ms per notice, a large share of the per-employer budget.
 */
import { randomBytes, randomUUID } from 'node:crypto';
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

const CRLF = '\r\n';
const LINE = 76;

/** Base64 in lines of 76 characters (RFC 2045), as bytes: one encode, then one copy per line. */
function base64Lines(data: Buffer): Buffer {
  const encoded = Buffer.from(data.toString('base64'), 'latin1');
  const out = Buffer.allocUnsafe(encoded.length + 2 * Math.ceil(encoded.length / LINE));
  let at = 0;
  for (let i = 0; i < encoded.length; i += LINE) {
    at += encoded.copy(out, at, i, Math.min(i + LINE, encoded.length));
    out[at++] = 13;
    out[at++] = 10;
  }
  return out.subarray(0, at);
}

/** Header values come partly from registrations: a line break would start a header of the sender's choosing. */
function oneLine(value: string): string {
  return value.replace(/[\r\n]+/g, ' ').trim();
}

const PRINTABLE = /^[\x20-\x7e]*$/;
/** Text bytes per encoded-word: 52 base64 characters, so a word and a header name fit a 76-character line. */
const WORD_BYTES = 39;

/**
 * RFC 2047 encoded-words in UTF-8, base64, never splitting a character; decoders drop the whitespace between
 * adjacent words, so they can be folded onto continuation lines.
 */
function encodedWords(value: string): string[] {
  const words: string[] = [];
  let bytes: number[] = [];
  const flush = () => {
    if (bytes.length) words.push(`=?UTF-8?B?${Buffer.from(bytes).toString('base64')}?=`);
    bytes = [];
  };
  for (const char of value) {
    const encoded = Buffer.from(char, 'utf8');
    if (bytes.length + encoded.length > WORD_BYTES) flush();
    for (const byte of encoded) bytes.push(byte);
  }
  flush();
  return words;
}

/** Unstructured header text as foldable tokens: its words when printable ASCII, otherwise encoded-words. */
function headerText(value: string): string[] {
  const line = oneLine(value);
  return PRINTABLE.test(line) && !line.includes('=?') ? line.split(' ') : encodedWords(line);
}

/** "Name <address>" or a bare address, as tokens; the display name quoted or encoded as needed. */
function mailbox(value: string): string[] {
  const line = oneLine(value);
  const match = /^(.*?)\s*<([^<>]+)>$/.exec(line);
  if (!match) return [line];
  const name = (match[1] ?? '').replace(/^"(.*)"$/, '$1');
  const address = `<${match[2] ?? ''}>`;
  if (!name) return [address];
  if (PRINTABLE.test(name)) return [`"${name.replace(/(["\\])/g, '\\$1')}"`, address];
  return [...encodedWords(name), address];
}

/** A header folded at token boundaries so that lines stay within 76 characters where tokens allow. */
function header(name: string, tokens: string[]): string {
  let out = '';
  let line = `${name}:`;
  let first = true;
  for (const token of tokens) {
    if (!first && line.length + 1 + token.length > 76) {
      out += `${line}${CRLF}`;
      line = ` ${token}`;
    } else line += ` ${token}`;
    first = false;
  }
  return out + line;
}

/** A MIME parameter: quoted when plain ASCII, RFC 2231 UTF-8 percent-encoding otherwise. */
function parameter(key: string, value: string): string {
  const line = oneLine(value);
  if (PRINTABLE.test(line) && !/["\\]/.test(line)) return `${key}="${line}"`;
  const encoded = encodeURIComponent(line).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${key}*=UTF-8''${encoded}`;
}

/** "Sun, 22 Nov 2026 08:00:00 +0000" (RFC 5322). */
function date(now: Date): string {
  return now.toUTCString().replace(/GMT$/, '+0000');
}

function domainOf(address: string): string {
  const match = /@([^@>\s]+)>?\s*$/.exec(address);
  return match?.[1] ?? 'localhost';
}

function headerName(name: string): string {
  if (!/^[\x21-\x39\x3b-\x7e]+$/.test(name)) throw new RangeError(`Not a valid header name: ${name}`);
  return name;
}

export async function buildRawMessage(input: RawMessageInput): Promise<Buffer> {
  const boundary = randomBytes(12).toString('hex');
  // '_' and '=' in the boundary cannot occur in base64 lines, so no part can contain it.
  const mixed = `_mixed_${boundary}_`;
  const alternative = `_alt_${boundary}_`;
  const from = mailbox(input.from);
  // An empty address (an employer without email) is left out, as MailComposer did.
  const recipients = input.to.filter((address) => oneLine(address) !== '');
  const to = recipients.flatMap((address, i) => {
    const tokens = mailbox(address);
    if (i < recipients.length - 1) tokens[tokens.length - 1] += ',';
    return tokens;
  });

  const headers: string[] = [
    header('From', from),
    ...(to.length > 0 ? [header('To', to)] : []),
    header('Subject', headerText(input.subject)),
    `Message-ID: <${randomUUID()}@${domainOf(from[from.length - 1] ?? '')}>`,
    `Date: ${date(new Date())}`,
    'MIME-Version: 1.0',
  ];
  if (input.configurationSet) {
    headers.push(header('X-SES-CONFIGURATION-SET', headerText(input.configurationSet)));
  }
  for (const [name, value] of Object.entries(input.headers ?? {})) {
    headers.push(header(headerName(name), headerText(value)));
  }

  const parts: Buffer[] = [];
  const push = (text: string) => parts.push(Buffer.from(text, 'utf8'));
  const hasAttachments = input.attachments.length > 0;
  if (hasAttachments) {
    headers.push(`Content-Type: multipart/mixed; boundary="${mixed}"`);
    push(
      `${headers.join(CRLF)}${CRLF}${CRLF}--${mixed}${CRLF}Content-Type: multipart/alternative; boundary="${alternative}"${CRLF}${CRLF}`,
    );
  } else {
    headers.push(`Content-Type: multipart/alternative; boundary="${alternative}"`);
    push(`${headers.join(CRLF)}${CRLF}${CRLF}`);
  }
  // Base64 keeps the Vietnamese text intact through any relay, whatever its line-length handling.
  for (const [type, body] of [
    ['text/plain', input.text],
    ['text/html', input.html],
  ] as const) {
    push(
      `--${alternative}${CRLF}Content-Type: ${type}; charset=utf-8${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}`,
    );
    parts.push(base64Lines(Buffer.from(body, 'utf8')));
  }
  push(`--${alternative}--${CRLF}`);
  if (hasAttachments) {
    for (const attachment of input.attachments) {
      push(
        `${CRLF}--${mixed}${CRLF}Content-Type: ${oneLine(attachment.contentType)}; ${parameter('name', attachment.filename)}${CRLF}` +
          `Content-Transfer-Encoding: base64${CRLF}` +
          `Content-Disposition: attachment; ${parameter('filename', attachment.filename)}${CRLF}${CRLF}`,
      );
      parts.push(base64Lines(attachment.content));
    }
    push(`${CRLF}--${mixed}--${CRLF}`);
  }
  return Buffer.concat(parts);
}
