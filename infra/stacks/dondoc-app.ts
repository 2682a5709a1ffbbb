/**
 * The cloud app, built the same way by `infra/app.ts` (cdk synth/deploy) and by the infra tests: the
 * stacks, wired together, with the AwsSolutions checks registered as a validation plugin.
 */
import { Annotations, App, Validations, type AppProps, type Environment } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DEMO_OFFICE } from '../../functions/shared/demo-office.ts';
import type { OfficeSettings } from '../constructs/office.ts';
import { DataStack } from './data-stack.ts';
import { MonitoringStack } from './monitoring-stack.ts';
import { WebStack } from './web-stack.ts';
import { WorkflowsStack } from './workflows-stack.ts';

export interface DondocSettings extends OfficeSettings {
  senderEmail: string;
  adminEmails: string[];
  /** The labour authority and the inspectorate, told of every employer classed as evading. */
  evasionNoticeRecipients: string[];
  /** The SES account's maximum send rate (emails per second). */
  sesSendQuota: number;
}

export interface DondocApp {
  app: App;
  nag: AwsSolutionsChecks;
  settings: DondocSettings;
  data: DataStack;
  web: WebStack;
  workflows: WorkflowsStack;
  monitoring: MonitoringStack;
}

const EMAIL = /^[^\s@,]+@[^\s@,]+\.[^\s@,]+$/;

function requiredString(app: App, key: string): string {
  const value: unknown = app.node.tryGetContext(key);
  if (typeof value !== 'string' || value.trim() === '')
    throw new Error(`Context "${key}" must be a non-empty string`);
  return value.trim();
}

/** Context values come from cdk.json (arrays) or `-c key=value` on the command line (strings). */
export function readSettings(app: App): DondocSettings {
  const senderEmail = requiredString(app, 'senderEmail');
  if (!EMAIL.test(senderEmail)) throw new Error(`Context holds an invalid email address: "${senderEmail}"`);
  const settings: DondocSettings = {
    senderEmail,
    adminEmails: emailList(app, 'adminEmails'),
    evasionNoticeRecipients: emailList(app, 'evasionNoticeRecipients'),
    officeName: requiredString(app, 'officeName'),
    collectionAccountNumber: requiredString(app, 'collectionAccountNumber'),
    collectionAccountName: requiredString(app, 'collectionAccountName'),
    collectionAccountBank: requiredString(app, 'collectionAccountBank'),
    sesSendQuota: positiveNumber(app, 'sesSendQuota'),
  };
  refuseHalfDemoOffice(settings);
  return settings;
}

type OfficeKey = keyof typeof DEMO_OFFICE;
const OFFICE_KEYS = Object.keys(DEMO_OFFICE) as OfficeKey[];
const isDemoValue = (settings: DondocSettings, key: OfficeKey) =>
  JSON.stringify(settings[key]) === JSON.stringify(DEMO_OFFICE[key]);

/**
 * cdk.json holds the demo office so that `npx cdk synth` works as is. An office that sets its own sender
 * but leaves, say, the demo collection account would send every employer a notice telling it to pay into
 * an account that is not its office's: so it is all demo or none.
 */
function refuseHalfDemoOffice(settings: DondocSettings): void {
  const demo = OFFICE_KEYS.filter((key) => isDemoValue(settings, key));
  if (demo.length === 0 || demo.length === OFFICE_KEYS.length) return;
  throw new Error(
    `Context still holds the demo office's ${demo.join(', ')} while ${OFFICE_KEYS.filter((key) => !demo.includes(key)).join(', ')} ` +
      `are your office's: set each with -c key=value (README, "Deploy to AWS"), or none for the demo`,
  );
}

export const isDemoOffice = (settings: DondocSettings): boolean =>
  OFFICE_KEYS.every((key) => isDemoValue(settings, key));

export function createDondocApp(props?: AppProps): DondocApp {
  const app = new App(props);
  const nag = new AwsSolutionsChecks(app);
  Validations.of(app).addPlugins(nag);

  const settings = readSettings(app);
  // Environment-agnostic unless the CLI knows the target account and region.
  const env: Environment = {
    account: process.env.CDK_DEFAULT_ACCOUNT,
    region: process.env.CDK_DEFAULT_REGION,
  };

  const data = new DataStack(app, 'DondocData', { env, description: 'dondoc: DynamoDB tables' });
  const web = new WebStack(app, 'DondocWeb', {
    env,
    description: 'dondoc: approval pages (function URL)',
    tables: data.tables,
    office: settings,
  });
  const workflows = new WorkflowsStack(app, 'DondocWorkflows', {
    env,
    description: 'dondoc: functions, state machines, SES sender, schedules and their admin API',
    tables: data.tables,
    publicBaseUrl: web.url.url,
    office: settings,
    ...settings,
  });
  // Shown by cdk synth and deploy: a deployment on cdk.json as is sends the demo office's notices.
  if (isDemoOffice(settings))
    Annotations.of(workflows).addWarningV2(
      'dondoc:demoOffice',
      'The demo office of cdk.json: notices would name its sender and collection account. Set your office with -c (README, "Deploy to AWS").',
    );
  const monitoring = new MonitoringStack(app, 'DondocMonitoring', {
    env,
    description: 'dondoc: alarms',
    stateMachines: Object.fromEntries(
      Object.entries(workflows.workflows).map(([name, workflow]) => [name, workflow.stateMachine]),
    ),
    deadLetterQueues: { MonthlyC12ScheduleDeadLetterQueue: workflows.scheduleDeadLetterQueue },
    adminEmails: settings.adminEmails,
  });

  return { app, nag, settings, data, web, workflows, monitoring };
}

/** A list of addresses (an array in cdk.json, or comma-separated with -c), at least one. */
function emailList(app: App, key: string): string[] {
  const raw: unknown = app.node.tryGetContext(key);
  const emails = (Array.isArray(raw) ? raw : String(raw ?? '').split(','))
    .map((item) => String(item).trim())
    .filter(Boolean);
  for (const email of emails) {
    if (!EMAIL.test(email)) throw new Error(`Context holds an invalid email address: "${email}"`);
  }
  if (emails.length === 0) throw new Error(`Context "${key}" must list at least one address`);
  return emails;
}

function positiveNumber(app: App, key: string): number {
  const value = Number(app.node.tryGetContext(key));
  if (!Number.isFinite(value) || value <= 0) throw new Error(`Context "${key}" must be a positive number`);
  return value;
}
