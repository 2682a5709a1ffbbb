import { describe, expect, it } from 'vitest';
import { iamAuth, principalOfArn, type AdminEvent } from '../../../functions/schedules/http.ts';

const event = (userArn?: string): AdminEvent => ({
  rawPath: '/admin/api/schedules',
  headers: {},
  isBase64Encoded: false,
  requestContext: { http: { method: 'GET' }, ...(userArn ? { authorizer: { iam: { userArn } } } : {}) },
});

describe('IAM callers of the admin surface', () => {
  it('are named by their user or role session, short enough for the history and execution names', () => {
    expect(
      principalOfArn(
        'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Admin_0123456789abcdef/alice@bhxh.gov.vn',
      ),
    ).toBe('alice@bhxh.gov.vn');
    expect(principalOfArn('arn:aws:iam::123456789012:user/ops/bob')).toBe('bob');
    expect(principalOfArn(`arn:aws:sts::1:assumed-role/R/${'x'.repeat(100)}`)).toHaveLength(64);
    expect(iamAuth('s'.repeat(32)).principal(event('arn:aws:iam::1:user/carol'), 'api')).toBe('carol');
    expect(iamAuth('s'.repeat(32)).principal(event(), 'page')).toBeUndefined();
  });

  it('bind the form token to a secret the function holds, not to the ARN alone', () => {
    const caller = event('arn:aws:iam::1:user/carol');
    expect(iamAuth('a'.repeat(32)).sessionSecret(caller)).not.toBe(
      iamAuth('b'.repeat(32)).sessionSecret(caller),
    );
    expect(iamAuth('a'.repeat(32)).sessionSecret(caller)).not.toBe('arn:aws:iam::1:user/carol');
  });
});
