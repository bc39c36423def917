/**
 * The base of every error the engine raises on purpose: it carries the stable code that crosses
 * the contract (`{code, message, details}`), so no shell has to guess a code from a class name.
 * Anything else that escapes a handler is a bug and reaches the user as `internal`.
 */
export class QuireError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Any thrown value as the `{code, message, details}` that crosses the contract. */
export function toErrorPayload(error: unknown): { code: string; message: string; details?: unknown } {
  if (error instanceof QuireError) return { code: error.code, message: error.message, ...(error.details !== undefined ? { details: error.details } : {}) };
  return { code: 'internal', message: (error as Error)?.message ?? String(error) };
}
