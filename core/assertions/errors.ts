import type { Assertion } from './schema.ts';

/** An assertion that cannot be graded as written. Retrying will not help. */
export class InvalidAssertionError extends Error {
  override name = 'InvalidAssertionError';

  constructor(
    readonly assertion: Pick<Assertion, 'type'>,
    readonly problems: string[],
  ) {
    super(`Invalid assertion: ${problems.join('; ')}`);
  }
}

/** An injected model call failed or answered unusably; a retry may succeed. */
export class ModelAssertionError extends Error {
  override name = 'ModelAssertionError';
  /** The model's raw reply, when the failure was an unusable reply. */
  readonly raw: string | undefined;

  constructor(message: string, options: { cause?: unknown; raw?: string } = {}) {
    super(message, { cause: options.cause });
    this.raw = options.raw;
  }
}
