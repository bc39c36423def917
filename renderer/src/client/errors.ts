import type { ErrorPayload } from '../../../electron/shared/contract.js';
/**
 * What every failed call rejects with: the contract's `EngineError` (`{code, message, details}` as
 * an Error), so the UI can show the code and message whichever shell carried the call.
 */
import { EngineError } from '../../../electron/shared/contract.js';

export { EngineError };

/** Any thrown value as an ErrorPayload (Electron's preload may reject with plain objects). */
export function toErrorPayload(error: unknown): ErrorPayload {
  if (error instanceof EngineError) return { code: error.code, message: error.message, details: error.details };
  if (error && typeof error === 'object') {
    const e = error as { code?: unknown; message?: unknown };
    const message = typeof e.message === 'string' && e.message ? e.message : String(error);
    return { code: typeof e.code === 'string' ? e.code : 'internal', message };
  }
  return { code: 'internal', message: String(error) };
}
