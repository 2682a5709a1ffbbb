/**
 * The public late-payer list over HTTP (a function URL in the cloud, the local front door on the embedded
 * stack): GET /cong-khai/cham-dong (the page) and /cong-khai/cham-dong.json (the feed). Read-only.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import type { HttpEvent, HttpResult } from '../../approvals/http.ts';
import { awsClients } from '../../shared/aws.ts';
import { appConfig } from '../../shared/config.ts';
import { logger } from '../../shared/logger.ts';
import { latePayerFeed, latePayerPage } from '../public-list.ts';
import { EscalationRepository } from '../repository.ts';

const CACHE = 'public, max-age=300';

export async function handlePublicList(
  repository: EscalationRepository,
  event: HttpEvent,
  now: string,
): Promise<HttpResult> {
  const method = event.requestContext.http.method.toUpperCase();
  const path = event.rawPath.replace(/\/+$/, '');
  const json = path === '/cong-khai/cham-dong.json';
  if (!json && path !== '/cong-khai/cham-dong') {
    return {
      statusCode: 404,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: 'Không tìm thấy',
    };
  }
  if (method !== 'GET' && method !== 'HEAD') {
    return {
      statusCode: 405,
      headers: { 'content-type': 'text/plain; charset=utf-8', allow: 'GET' },
      body: 'Chỉ đọc',
    };
  }
  const feed = latePayerFeed(await repository.casesWithStatus('OPEN'), appConfig().OFFICE_NAME, now);
  return json
    ? {
        statusCode: 200,
        headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': CACHE },
        body: JSON.stringify(feed),
      }
    : {
        statusCode: 200,
        headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': CACHE },
        body: latePayerPage(feed),
      };
}

export const handler = middy<HttpEvent, HttpResult, Error, Context>()
  .use(injectLambdaContext(logger))
  .handler(async (event) => {
    try {
      return await handlePublicList(
        new EscalationRepository(awsClients().dynamo),
        event,
        new Date().toISOString(),
      );
    } catch (error) {
      logger.error('public list failed', { error: (error as Error)?.name });
      return {
        statusCode: 503,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: 'Tạm thời không truy cập được; xin thử lại sau.',
      };
    }
  });
