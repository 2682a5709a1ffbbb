/**
 * Run-time configuration, parsed once at start-up from the environment. A missing or malformed value
 * fails the cold start with the variable's name rather than a later, vaguer error.
 */
import { z } from 'zod';
import { DEMO_OFFICE } from './demo-office.ts';

const emailList = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.email()));

const configSchema = z.object({
  // The defaults are the embedded default's demo office; the CDK app sets every one of them.
  SENDER_EMAIL: z.email().default(DEMO_OFFICE.senderEmail),
  ADMIN_EMAILS: emailList.default([...DEMO_OFFICE.adminEmails]),
  /** The BHXH office that sends the notices, and the account employers pay into. */
  OFFICE_NAME: z.string().min(1).default(DEMO_OFFICE.officeName),
  COLLECTION_ACCOUNT_NUMBER: z.string().min(1).default(DEMO_OFFICE.collectionAccountNumber),
  COLLECTION_ACCOUNT_NAME: z.string().min(1).default(DEMO_OFFICE.collectionAccountName),
  COLLECTION_ACCOUNT_BANK: z.string().min(1).default(DEMO_OFFICE.collectionAccountBank),
  /**
   * Who is told when an employer is classed as evading (Law 41/2024 Art. 35: the labour authority and the
   * inspectorate). They receive the evasion notice in copy, and alone when the employer has no email.
   */
  EVASION_NOTICE_RECIPIENTS: emailList.default([...DEMO_OFFICE.evasionNoticeRecipients]),
  /** SES configuration set with open/click tracking off, when one is configured. */
  SES_CONFIGURATION_SET: z.string().optional(),
  /** Emails per second the batch handler may send (the SES sending quota). */
  SES_MAX_SEND_RATE: z.coerce.number().positive().default(14),
  BATCH_SIZE: z.coerce.number().int().min(1).max(1000).default(200),
  /** The escalation workflow (the CLI's `cases evaluate` starts it). */
  DEBT_ESCALATION_STATE_MACHINE_ARN: z
    .string()
    .default('arn:aws:states:ap-southeast-1:000000000000:stateMachine:dondoc-DebtEscalation'),
  /** The approval workflow the escalation starts for a stage that needs one. */
  CASE_APPROVAL_STATE_MACHINE_ARN: z
    .string()
    .default('arn:aws:states:ap-southeast-1:000000000000:stateMachine:dondoc-CaseApproval'),
  /** Where approval links point: the front door (function URL in the cloud, 127.0.0.1 locally). */
  PUBLIC_BASE_URL: z.url().default('http://127.0.0.1:8090'),
  /**
   * Seconds an approver has, instead of the policy's working days: for demos and tests with a clock
   * override, where the real clock would wait days. Unset in production.
   */
  APPROVAL_WAIT_SECONDS_OVERRIDE: z.coerce.number().int().positive().optional(),
});

export type Config = z.output<typeof configSchema>;

let config: Config | undefined;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new Error(`Invalid configuration: ${detail}`);
  }
  return parsed.data;
}

export function appConfig(): Config {
  config ??= loadConfig();
  return config;
}
