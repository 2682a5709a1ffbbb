/**
 * Runs after a deploy that changed the Scheduler schedules (a CloudFormation custom resource): CloudFormation
 * has just put them back to the defaults it knows, so every schedule an administrator changed is applied
 * again from its record. Create and Update only; Delete leaves nothing to undo.
 */
import { awsClients } from '../../shared/aws.ts';
import { logger } from '../../shared/logger.ts';
import { scheduleEngineFromEnv } from '../engine.ts';
import { ScheduleRepository } from '../repository.ts';

interface CustomResourceEvent {
  RequestType: 'Create' | 'Update' | 'Delete';
  PhysicalResourceId?: string;
}

export const handler = async (
  event: CustomResourceEvent,
): Promise<{ PhysicalResourceId: string; Data: { reapplied: string } }> => {
  const physical = event.PhysicalResourceId ?? 'dondoc-schedule-sync';
  if (event.RequestType === 'Delete') return { PhysicalResourceId: physical, Data: { reapplied: '' } };
  const engine = scheduleEngineFromEnv();
  const changed = (await new ScheduleRepository(awsClients().dynamo).list()).filter(
    (record) => record.version > 0,
  );
  for (const record of changed) await engine.apply(record);
  logger.info('schedules re-applied after deploy', { processes: changed.map((record) => record.processId) });
  return {
    PhysicalResourceId: physical,
    Data: { reapplied: changed.map((record) => record.processId).join(',') },
  };
};
