/**
 * Named errors the state machines match in Retry/Catch. A handler throws these (never swallows): the
 * workflow decides whether to retry, and every step is idempotent so a retry is safe.
 */

/** Worth retrying later: throttling that outlasted the SDK's own backoff, a dependency briefly down. */
export class TransientError extends Error {
  override name = 'TransientError';
}

/** The event a handler received does not match its contract: retrying cannot help. */
export class InvalidEventError extends Error {
  override name = 'InvalidEventError';
}

/**
 * Sending is impossible for every message (account paused or suspended, sender not verified, configuration
 * set missing): not the recipient's fault and not worth retrying until someone fixes the account.
 */
export class EmailConfigurationError extends Error {
  override name = 'EmailConfigurationError';
}

/**
 * The document client's refusal of a stored number it cannot give as a JavaScript number (more digits than
 * a double holds): bad data in one item, not a service error (no `$fault`), so no retry helps.
 */
export function isUnreadableNumber(error: unknown): boolean {
  return (
    error instanceof Error &&
    !('$fault' in error) &&
    /converted to BigInt|MAX_SAFE_INTEGER|NumberValue/.test(error.message)
  );
}

const SYSTEM_ERROR_CODE = /^E[A-Z0-9_]+$/; // ECONNRESET, ETIMEDOUT, EPIPE…

/**
 * An error of the services or the network rather than of one item's data: an SDK error (every error
 * through the SDK's retry middleware carries `$metadata`), a socket error, or one of ours that says so.
 * A batch rethrows these so the workflow retries it (every step is idempotent); any other error belongs to
 * the item being processed, which is set aside with the reason while the rest of the batch goes on.
 */
export function isInfrastructureError(error: unknown): boolean {
  if (!(error instanceof Error) || isUnreadableNumber(error)) return false;
  if ('$metadata' in error || '$fault' in error) return true;
  if (['TransientError', 'EmailConfigurationError', 'TimeoutError', 'AbortError'].includes(error.name))
    return true;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && SYSTEM_ERROR_CODE.test(code);
}
