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
