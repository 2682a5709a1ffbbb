/** One case's evaluation when its ledger cannot be read: the case is skipped, audited, and the batch goes on. */
import { describe, expect, it } from 'vitest';
import { storedLedgerRows } from '../../../functions/c12/ledger.ts';
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

  it("leaves a paused case's claimed letter for its resume", async () => {
    const sent: unknown[] = [];
    const paused = {
      ...kase,
      status: 'PAUSED',
      stage: 'URGING_LETTER',
      pauses: [{ from: '2026-11-20', reason: 'DISPUTE', by: 'CB01' }],
      documents: { URGING_LETTER: { status: 'PENDING', at: '2026-11-19T00:00:00.000Z' } },
    } as EscalationCase;
    const deps = {
      cases: {
        audit: async () => undefined,
        markDocument: async () => undefined,
      } as unknown as EscalationRepository,
      employer: async () => ({
        employerId: 'TS0001A',
        name: 'Công ty A',
        region: 'I',
        partition: 'P-1',
        email: 'a@a.example',
      }),
      ledger: async () =>
        storedLedgerRows('TS0001A', 'P-1', {
          type: 'PAYROLL',
          entryKey: 'PAYROLL#2026-09',
          period: '2026-09',
          employees: [{ id: 'NV01', insuredWage: 10_000_000 }],
        }),
      send: async (mail: unknown) => (sent.push(mail), { status: 'SENT', messageId: 'm-1' }),
      policies: async () => [DEFAULT_ESCALATION_POLICY],
      office: { name: 'BHXH', sender: 's@bhxh.example', evasionRecipients: [] },
      now: () => '2026-12-02T00:00:00.000Z',
    } as unknown as SweepDeps;
    expect(await evaluateOne(deps, paused, '2026-12-02')).toBe('PAUSED');
    expect(sent).toEqual([]);
  });
});
