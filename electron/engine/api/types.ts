import type { z } from 'zod';
import type { Contract, MethodName, StreamMethod } from '../../shared/contract.js';

/** A method's params after validation (defaults applied). */
export type ParamsOf<M extends MethodName> = z.output<Contract[M]['params']>;
/** What a handler returns: checked against the result schema on the way out. */
export type ResultOf<M extends MethodName> = z.input<Contract[M]['result']>;
export type EventOf<M extends MethodName> = M extends StreamMethod ? z.input<Contract[M]['event']> : never;

export interface CallContext<M extends MethodName = MethodName> {
  signal: AbortSignal;
  /** Stream methods only: one event to the caller. */
  emit: (event: EventOf<M>) => void;
}

export type Handler<M extends MethodName> = (params: ParamsOf<M>, context: CallContext<M>) => Promise<ResultOf<M>> | ResultOf<M>;
export type Handlers<M extends MethodName> = { [K in M]: Handler<K> };
