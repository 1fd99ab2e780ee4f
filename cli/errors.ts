/** A problem with what the user asked for (a file, a flag, the environment): exit 2, no stack trace. */
export class InputError extends Error {
  override name = 'InputError';
}
