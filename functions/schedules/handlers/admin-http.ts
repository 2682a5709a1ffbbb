/**
 * Lambda handler of the administrators' API and pages (../http.ts): a function URL with AWS_IAM auth in the
 * cloud (ADMIN_AUTH=IAM, EventBridge Scheduler applies changes); on the embedded stack the local front door
 * calls it, the admin token printed at start signs in, and the local scheduler reads the records.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import type { HttpResult } from '../../approvals/http.ts';
import type { CaseHttpDeps } from '../../escalation/case-http.ts';
import { EscalationRepository } from '../../escalation/repository.ts';
import { awsClients } from '../../shared/aws.ts';
import { logger } from '../../shared/logger.ts';
import { scheduleServiceFromEnv } from '../engine.ts';
import type { ScheduleService } from '../service.ts';
import { handleAdminRequest, iamAuth, tokenAuth, type AdminAuth, type AdminEvent } from '../http.ts';

function authFromEnv(): AdminAuth | undefined {
  if (process.env.ADMIN_AUTH === 'IAM') {
    const secret = process.env.ADMIN_FORM_SECRET;
    return secret && secret.length >= 32 ? iamAuth(secret) : undefined;
  }
  const token = process.env.ADMIN_TOKEN;
  return token && token.length >= 32 ? tokenAuth(token) : undefined;
}

let service: ScheduleService | undefined;
let cases: CaseHttpDeps | undefined;

export const handler = middy<AdminEvent, HttpResult, Error, Context>()
  .use(injectLambdaContext(logger))
  .handler(async (event) => {
    const auth = authFromEnv();
    if (!auth) {
      logger.error('admin surface has no authentication configured (ADMIN_AUTH=IAM or ADMIN_TOKEN)');
      return {
        statusCode: 503,
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: 'Admin not configured',
      };
    }
    // Built once per container: the clients inside are reused across requests.
    service ??= scheduleServiceFromEnv();
    cases ??= { cases: new EscalationRepository(awsClients().dynamo), now: () => new Date().toISOString() };
    try {
      const result = await handleAdminRequest({ service, auth, cases }, event);
      if (event.requestContext.http.method !== 'GET' && result.statusCode < 400) {
        logger.info('admin change', {
          path: event.rawPath,
          method: event.requestContext.http.method,
          status: result.statusCode,
          by: auth.principal(event, 'page'),
          callerArn: event.requestContext.authorizer?.iam?.userArn,
        });
      }
      return result;
    } catch (error) {
      logger.error('admin request failed', {
        path: event.rawPath,
        error: (error as Error)?.name,
        message: (error as Error)?.message,
      });
      return {
        statusCode: 503,
        headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
        body: 'Tạm thời không phục vụ được / Temporarily unavailable',
      };
    }
  });
