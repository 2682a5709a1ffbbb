/**
 * Responses of the admin surface (function URL payload 2.0 and the local front door alike): no caching,
 * no framing, no sniffing, no referrer; pages carry a CSP without script.
 */
import type { HttpEvent, HttpResult } from '../approvals/http.ts';

export const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};
const HTML_HEADERS = {
  ...SECURITY_HEADERS,
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
};

export const json = (statusCode: number, body: unknown): HttpResult => ({
  statusCode,
  headers: { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(body),
});
export const html = (statusCode: number, body: string, headers: Record<string, string> = {}): HttpResult => ({
  statusCode,
  headers: { ...HTML_HEADERS, ...headers },
  body,
});
export const redirect = (location: string, headers: Record<string, string> = {}): HttpResult => ({
  statusCode: 303,
  headers: { ...SECURITY_HEADERS, location, ...headers },
  body: '',
});

export function bodyText(event: Pick<HttpEvent, 'body' | 'isBase64Encoded'>): string {
  const raw = event.body ?? '';
  return event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
}
