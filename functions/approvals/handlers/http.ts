/**
 * Lambda handler behind the approval links: a function URL in the cloud; on the embedded stack the local
 * HTTP front door calls it with the same event shape. Pages and status codes come from ../http.ts; an
 * unexpected failure (the store down) is a 503 page, logged.
 */
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { awsClients } from '../../shared/aws.ts';
import { logger } from '../../shared/logger.ts';
import { handleApprovalRequest, type HttpEvent, type HttpResult } from '../http.ts';
import { outcomePage } from '../pages.ts';
import { ApprovalsRepository } from '../repository.ts';
import { EscalationRepository } from '../../escalation/repository.ts';

export const handler = middy<HttpEvent, HttpResult, Error, Context>()
  .use(injectLambdaContext(logger))
  .handler(async (event) => {
    const { dynamo, sfn } = awsClients();
    try {
      const cases = new EscalationRepository(dynamo);
      return await handleApprovalRequest(
        {
          approvals: new ApprovalsRepository(dynamo),
          sfn,
          now: () => new Date().toISOString(),
          trail: (caseId) => cases.trail(caseId),
          audit: ({ approvalId, ...entry }) =>
            cases.audit({ ...entry, channel: 'EMAIL_LINK', discriminator: approvalId }),
        },
        event,
      );
    } catch (error) {
      logger.error('approval request failed', { path: event.rawPath, error: (error as Error)?.name });
      const { status, html } = outcomePage('UNAVAILABLE');
      return {
        statusCode: status,
        headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
        body: html,
      };
    }
  });
