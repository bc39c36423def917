import type { z } from 'zod';
import { QuireError, toErrorPayload } from '../errors.js';
import type { ErrorBody } from './schemas.js';

/** An error with its HTTP status, in OpenAI's `{error: {message, type, param, code}}` shape. */
export class OpenAiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = 'invalid_request_error',
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = 'OpenAiError';
  }

  get body(): ErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** `messages[0].role` for the path ['messages', 0, 'role']. */
function paramOf(path: readonly PropertyKey[]): string | null {
  let out = '';
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `${out ? '.' : ''}${String(key)}`;
  return out || null;
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let value = body;
  for (const key of path) value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  return value;
}

/** Parses a request body, refusing it with a 400 that names the first offending field. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new OpenAiError(400, 'The request body must be a JSON object');
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const param = paramOf(issue.path);
  const missing = issue.code === 'invalid_type' && valueAt(body, issue.path) === undefined;
  throw new OpenAiError(400, missing ? `Missing required parameter: '${param}'.` : `Invalid '${param ?? 'body'}': ${issue.message}`, 'invalid_request_error', param, missing ? 'missing_required_parameter' : 'invalid_value');
}

export const modelNotFound = (model: string, why = 'it is neither a library (quire/<library>) nor a registered model'): OpenAiError =>
  new OpenAiError(404, `The model '${model}' does not exist: ${why}. See GET /v1/models.`, 'invalid_request_error', 'model', 'model_not_found');

/** The code an OpenAI error carries across the contract; its `details` hold status, type, param and OpenAI's code. */
export const OPENAI_ERROR_CODE = 'openai-error';

/** An OpenAI error as an engine error, so that it crosses a process boundary whole. */
export function openAiErrorAsQuireError(error: unknown): QuireError {
  const e = toOpenAiError(error);
  return new QuireError(OPENAI_ERROR_CODE, e.message, { status: e.status, type: e.type, param: e.param, code: e.code });
}

/** Any engine error (or an error that came back from the engine with `{code, message, details}`) as an OpenAI error: the caller's mistakes are 4xx, the rest 500. */
export function toOpenAiError(error: unknown): OpenAiError {
  if (error instanceof OpenAiError) return error;
  const crossed = !(error instanceof QuireError) && typeof (error as { code?: unknown })?.code === 'string';
  const { code, message, details } = crossed ? (error as { code: string; message: string; details?: unknown }) : toErrorPayload(error);
  if (code === OPENAI_ERROR_CODE && typeof details === 'object' && details !== null) {
    const d = details as { status?: number; type?: string; param?: string | null; code?: string | null };
    return new OpenAiError(d.status ?? 500, message, d.type ?? 'server_error', d.param ?? null, d.code ?? null);
  }
  switch (code) {
    case 'engine-restarted':
      return new OpenAiError(503, message, 'server_error', null, code);
    case 'bad-request':
      return new OpenAiError(400, message, 'invalid_request_error', null, 'invalid_value');
    case 'no-library':
    case 'not-found':
    case 'no-model':
    case 'unknown-model':
      return new OpenAiError(404, message, 'invalid_request_error', 'model', 'model_not_found');
    case 'adapter-mismatch':
      return new OpenAiError(409, message, 'invalid_request_error', null, code);
    default:
      return new OpenAiError(500, message, 'server_error', null, code);
  }
}
