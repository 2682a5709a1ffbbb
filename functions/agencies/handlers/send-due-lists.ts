/**
 * A batch of organisations' D08a-TS lists: each organisation's participants falling due in the month, as a
 * Vietnamese email with the list attached (PDF), once per organisation and month. A participant record that
 * does not validate is left out and counted, with its reason in the log.
 */
import { z } from 'zod';
import { monthSchema } from '../../shared/schemas.ts';
import { formatMonth } from '../../c12/notice/format.ts';
import { awsClients } from '../../shared/aws.ts';
import { appConfig } from '../../shared/config.ts';
import { SendRateLimiter, sendEmail } from '../../shared/email.ts';
import { escapeHtml } from '../../shared/html.ts';
import { defineHandler } from '../../shared/lambda.ts';
import { logger } from '../../shared/logger.ts';
import { dueList } from '../due-list.ts';
import { renderDueListPdf } from '../due-list-pdf.ts';
import { participantSchema, type Participant } from '../model.ts';
import { AgencyRepository } from '../repository.ts';

export const sendDueListsEventSchema = z.object({
  month: monthSchema,
  organisationCodes: z.array(z.string().min(1)).min(1),
  /** The execution: a claim it made is its own to retry; another run's fresh claim is left alone. */
  runId: z.string().min(1),
});

const config = appConfig();
const limiter = new SendRateLimiter(config.SES_MAX_SEND_RATE);

export const handler = defineHandler(sendDueListsEventSchema, async (event) => {
  const { dynamo, ses } = awsClients();
  const repository = new AgencyRepository(dynamo);
  const profiles = new Map(
    (await repository.loadProfiles(event.organisationCodes)).map((org) => [String(org.code), org]),
  );
  const counts = { sent: 0, alreadySent: 0, noEmail: 0, due: 0, invalidParticipants: 0 };
  for (const code of event.organisationCodes) {
    const at = new Date().toISOString();
    if (!(await repository.claimDueList(code, event.month, at, event.runId))) {
      counts.alreadySent++;
      continue;
    }
    const participants: Participant[] = [];
    for (const record of await repository.participants(code)) {
      const parsed = participantSchema.safeParse(record);
      if (parsed.success) participants.push(parsed.data);
      else {
        counts.invalidParticipants++;
        logger.warn('participant left out of the D08a-TS list', {
          organisationCode: code,
          participantId: record.participantId,
        });
      }
    }
    const entries = dueList(participants, event.month).get(code) ?? [];
    counts.due += entries.length;
    const profile = profiles.get(code);
    const email = typeof profile?.email === 'string' ? profile.email : undefined;
    if (!email) {
      await repository.recordDueList(code, event.month, { status: 'NO_EMAIL', at, due: entries.length });
      counts.noEmail++;
      continue;
    }
    const organisation = { code, name: String(profile?.name ?? code) };
    const lastMonth = entries.filter((e) => e.lastMonth).length;
    const subject = `Danh sách đến hạn đóng tháng ${formatMonth(event.month)} (D08a-TS) - ${organisation.name}: ${entries.length} người`;
    const text = [
      `Kính gửi: ${organisation.name}`,
      '',
      `${config.OFFICE_NAME} gửi danh sách ${entries.length} người tham gia BHXH tự nguyện, BHYT hộ gia đình do đơn vị quản lý đến hạn đóng trong tháng ${formatMonth(event.month)} (Mẫu D08a-TS, tệp đính kèm), trong đó ${lastMonth} người đến hạn cuối.`,
      'Đề nghị đơn vị giao nhân viên thu đôn đốc, vận động người tham gia đóng tiếp đúng hạn.',
      '',
      config.OFFICE_NAME,
    ].join('\n');
    const html = text
      .split('\n')
      .map((line) => (line ? `<p>${escapeHtml(line)}</p>` : ''))
      .join('\n');
    await limiter.acquire();
    const outcome = await sendEmail(ses, {
      from: config.SENDER_EMAIL,
      to: [email],
      subject,
      text,
      html,
      attachments: [
        {
          filename: `D08a-TS_${code}_${event.month}.pdf`,
          contentType: 'application/pdf',
          content: renderDueListPdf({
            office: config.OFFICE_NAME,
            organisation,
            month: event.month,
            entries,
          }),
        },
      ],
      configurationSet: config.SES_CONFIGURATION_SET,
    });
    await repository.recordDueList(code, event.month, {
      status: outcome.status === 'SENT' ? 'SENT' : 'NO_EMAIL',
      at,
      due: entries.length,
      ...(outcome.status === 'SENT' ? { messageId: outcome.messageId } : {}),
    });
    if (outcome.status === 'SENT') counts.sent++;
    else counts.noEmail++;
  }
  return counts;
});
