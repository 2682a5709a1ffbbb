/** What the approval workflow's handlers share: clients built once per process, the office's settings. */
import { ApprovalsRepository } from '../../approvals/repository.ts';
import { awsClients } from '../../shared/aws.ts';
import { appConfig } from '../../shared/config.ts';
import { SendRateLimiter, sendEmail } from '../../shared/email.ts';
import type { FlowDeps } from '../approval-flow.ts';
import { officeSettings } from '../documents.ts';
import { PolicyStore } from '../policy-store.ts';
import { EscalationRepository } from '../repository.ts';

let deps: FlowDeps | undefined;

export function flowDeps(): FlowDeps {
  if (deps) return deps;
  const config = appConfig();
  const { dynamo, ses, sfn } = awsClients();
  const limiter = new SendRateLimiter(config.SES_MAX_SEND_RATE);
  const policies = new PolicyStore(dynamo);
  deps = {
    cases: new EscalationRepository(dynamo),
    approvals: new ApprovalsRepository(dynamo),
    sfn,
    send: async (mail) => {
      await limiter.acquire(mail.to.length + (mail.cc?.length ?? 0));
      return sendEmail(ses, mail);
    },
    office: officeSettings(config),
    baseUrl: config.PUBLIC_BASE_URL,
    waitSecondsOverride: config.APPROVAL_WAIT_SECONDS_OVERRIDE,
    policies: () => policies.versions(),
    now: () => new Date().toISOString(),
  };
  return deps;
}
