/** One case's evaluation when its ledger cannot be read: the case is skipped, audited, and the batch goes on. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_ESCALATION_POLICY } from '../../../functions/escalation/policy.ts';
import type {
  AuditEntry,
  EscalationCase,
  EscalationRepository,
} from '../../../functions/escalation/repository.ts';
import { evaluateOne, type SweepDeps } from '../../../functions/escalation/sweep.ts';

const kase = {
  employerId: 'TS0001A',
  caseId: 'TS0001A#2026-09',
  status: 'OPEN',
  stage: 'NONE',
  policyVersion: DEFAULT_ESCALATION_POLICY.version,
} as EscalationCase;

describe('evaluateOne', () => {
  it('skips a case whose ledger holds a number no JavaScript number can carry, naming it', async () => {
    const trail: AuditEntry[] = [];
    const deps = {
      cases: {
        audit: async (entry: AuditEntry) => void trail.push(entry),
      } as unknown as EscalationRepository,
      employer: async () => ({ employerId: 'TS0001A', name: 'Công ty A', region: 'I', partition: 'P-1' }),
      ledger: async () => {
        // As the document client throws it (with the SDK's $metadata, without a service $fault).
        throw Object.assign(
          new Error(
            "12345678901234567.5 can't be converted to BigInt. Set options.wrapNumbers to get string value.",
          ),
          { $metadata: {} },
        );
      },
      policies: async () => [DEFAULT_ESCALATION_POLICY],
      now: () => '2026-12-02T00:00:00.000Z',
    } as unknown as SweepDeps;
    expect(await evaluateOne(deps, kase, '2026-12-02')).toBe('SKIPPED');
    expect(trail).toEqual([
      expect.objectContaining({
        what: 'SKIPPED',
        why: expect.stringMatching(/^ledger: 12345678901234567\.5/),
      }),
    ]);
  });

  it('lets a service error through, for the workflow to retry', async () => {
    const deps = {
      cases: { audit: async () => undefined } as unknown as EscalationRepository,
      employer: async () => ({ employerId: 'TS0001A', name: 'Công ty A', region: 'I', partition: 'P-1' }),
      ledger: async () => {
        throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $fault: 'client' });
      },
      policies: async () => [DEFAULT_ESCALATION_POLICY],
      now: () => '2026-12-02T00:00:00.000Z',
    } as unknown as SweepDeps;
    await expect(evaluateOne(deps, kase, '2026-12-02')).rejects.toThrow('Rate exceeded');
  });
});
