import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  EmailConfigurationError,
  isInfrastructureError,
  TransientError,
} from '../../../functions/shared/errors.ts';
import { UnknownPolicyVersionError } from '../../../functions/escalation/policy.ts';

describe('isInfrastructureError: retry the batch, or set the one item aside', () => {
  it('counts SDK errors, socket errors and our own service errors as the services’', () => {
    const sdk = new ConditionalCheckFailedException({ message: 'conditional', $metadata: {} });
    const throughRetries = Object.assign(new Error('socket hang up'), { $metadata: { attempts: 3 } });
    const socket = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    for (const error of [
      sdk,
      throughRetries,
      socket,
      new TransientError('busy'),
      new EmailConfigurationError('paused'),
    ])
      expect(isInfrastructureError(error), error.message).toBe(true);
  });

  it('counts anything else as the item’s own: its data, a withdrawn policy, a bug it alone triggers', () => {
    const unreadable = new Error('Number 12345678901234567890 is greater than Number.MAX_SAFE_INTEGER');
    for (const error of [
      new UnknownPolicyVersionError('escalation policy version v9 is not published'),
      new TypeError("Cannot read properties of undefined (reading 'owed')"),
      new RangeError('Invalid time value'),
      unreadable,
      Object.assign(new Error('lowercase code'), { code: 'not_a_socket_error' }),
    ])
      expect(isInfrastructureError(error), error.message).toBe(false);
    expect(isInfrastructureError('a string thrown')).toBe(false);
  });
});
