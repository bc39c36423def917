import { ServerMessage, type MethodName } from '../../../electron/shared/contract.js';
import { EngineError } from './errors.js';
import type { Notice } from './websocket.js';
import type { UiClient } from './types.js';
import { describeIssues, schemaOf } from './schemas.js';

function check(method: MethodName, value: unknown): unknown {
  const parsed = schemaOf(method, 'result')!.safeParse(value);
  if (!parsed.success) throw new EngineError('bad-result', `The engine sent an invalid result for ${method}: ${describeIssues(parsed.error)}`, parsed.error.issues);
  return parsed.data;
}

/**
 * Wraps a client that does not validate what it receives (Electron's window.quire) so results,
 * stream events and notices are checked against the contract here too, as every receiver does.
 */
export function validated(client: UiClient): UiClient {
  type Any = { call(m: MethodName, p: unknown): Promise<unknown>; stream(m: MethodName, p: unknown): { result: Promise<unknown>; cancel(): void; onEvent(l: (e: unknown) => void): void } };
  const inner = client as unknown as Any;
  const wrapped: Any & Omit<UiClient, 'call' | 'stream'> = {
    shell: client.shell,
    async call(method, params) {
      return check(method, await inner.call(method, params));
    },
    stream(method, params) {
      const handle = inner.stream(method, params);
      let failure: EngineError | null = null;
      const result = handle.result.then((value) => {
        if (failure) throw failure;
        return check(method, value);
      });
      return {
        result,
        cancel: () => handle.cancel(),
        onEvent: (listener) =>
          handle.onEvent((event) => {
            if (failure) return;
            const parsed = schemaOf(method, 'event')!.safeParse(event);
            if (parsed.success) listener(parsed.data);
            else {
              failure = new EngineError('bad-event', `The engine sent an invalid ${method} event: ${describeIssues(parsed.error)}`, parsed.error.issues);
              handle.cancel();
            }
          }),
      };
    },
  };
  if (client.pathForFile) wrapped.pathForFile = (file) => client.pathForFile!(file);
  if (client.onNotice) {
    wrapped.onNotice = (listener) =>
      client.onNotice!((notice) => {
        const parsed = ServerMessage.safeParse({ type: 'notice', notice });
        if (parsed.success && parsed.data.type === 'notice') listener(parsed.data.notice as Notice);
      });
  }
  return wrapped as unknown as UiClient;
}
