import {
  isStreamMethod,
  ServerMessage,
  type CallMethod,
  type ClientMessage,
  type MethodName,
  type Params,
  type QuireClient,
  type Result,
  type StreamEvent,
  type StreamHandle,
  type StreamMethod,
} from '../../../electron/shared/contract.js';
import { EngineError } from './errors.js';
import { describeIssues as issues, schemaOf } from './schemas.js';

/** Pushed by the engine without a request. */
export type Notice = Extract<ServerMessage, { type: 'notice' }>['notice'];

export type ConnectionStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';
export interface ConnectionState {
  status: ConnectionStatus;
  /** Failed attempts since the last open connection. */
  attempt: number;
  /** When status is 'reconnecting': the wait before the next attempt. */
  retryInMs?: number;
  /** True on an 'open' that follows a lost connection. */
  reconnected?: boolean;
}

/**
 * The part of a WebSocket this client uses. The browser's WebSocket and the `ws` package's both
 * fit; handler parameters are `never` so that either one's handler type is assignable here.
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: never) => void) | null;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface WebSocketClientOptions {
  /** ws(s)://host/ws?token=... */
  url: string;
  /** Defaults to globalThis.WebSocket; tests under Node pass the `ws` package's class. */
  WebSocket?: WebSocketConstructor;
  reconnect?: { initialDelayMs?: number; maxDelayMs?: number };
}

interface Pending {
  method: MethodName;
  resolve(value: unknown): void;
  reject(error: EngineError): void;
  onEvent?: (event: unknown) => void;
  /** Whether the call left this client; unsent calls survive a reconnect, sent ones cannot. */
  sent: boolean;
}

const OPEN = 1;

/** A QuireClient over the browser mode's WebSocket: one JSON text frame per ClientMessage/ServerMessage. */
export class WebSocketClient implements QuireClient {
  readonly shell = 'browser' as const;
  private readonly Socket: WebSocketConstructor;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;
  private socket: WebSocketLike | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private outbox: ClientMessage[] = [];
  private attempt = 0;
  private everOpened = false;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;
  private state: ConnectionState = { status: 'connecting', attempt: 0 };
  private readonly noticeListeners = new Set<(notice: Notice) => void>();
  private readonly errorListeners = new Set<(error: EngineError) => void>();
  private readonly connectionListeners = new Set<(state: ConnectionState) => void>();

  constructor(private readonly options: WebSocketClientOptions) {
    const Socket = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (!Socket) throw new Error('No WebSocket implementation: pass one as the WebSocket option');
    this.Socket = Socket;
    this.initialDelayMs = options.reconnect?.initialDelayMs ?? 500;
    this.maxDelayMs = options.reconnect?.maxDelayMs ?? 10_000;
    this.connect();
  }

  call<M extends CallMethod>(method: M, params: Params<M>): Promise<Result<M>> {
    return new Promise<Result<M>>((resolve, reject) => {
      if (isStreamMethod(method)) {
        reject(new EngineError('bad-request', `${method} is a streaming method; use stream()`));
        return;
      }
      this.request(method, params, resolve as (value: unknown) => void, reject);
    });
  }

  stream<M extends StreamMethod>(method: M, params: Params<M>): StreamHandle<M> {
    const listeners: ((event: StreamEvent<M>) => void)[] = [];
    // Events that arrive before the caller attaches a listener are kept for it.
    const early: StreamEvent<M>[] = [];
    let id: number | null = null;
    const result = new Promise<Result<M>>((resolve, reject) => {
      if (!isStreamMethod(method)) {
        reject(new EngineError('bad-request', `${method} is not a streaming method; use call()`));
        return;
      }
      id = this.request(method, params, resolve as (value: unknown) => void, reject, (event) => {
        if (listeners.length === 0) early.push(event as StreamEvent<M>);
        for (const listener of listeners) listener(event as StreamEvent<M>);
      });
    });
    return {
      result,
      cancel: () => {
        if (id !== null) this.cancel(id);
      },
      onEvent: (listener) => {
        listeners.push(listener);
        for (const event of early.splice(0)) listener(event);
      },
    };
  }

  /** Notices pushed by the engine ('engine-restarted', 'library-changed'). Returns an unsubscribe. */
  onNotice(listener: (notice: Notice) => void): () => void {
    this.noticeListeners.add(listener);
    return () => this.noticeListeners.delete(listener);
  }

  /** Errors that belong to no request (a broken message, an error with id null). */
  onError(listener: (error: EngineError) => void): () => void {
    this.errorListeners.add(listener);
    return () => this.errorListeners.delete(listener);
  }

  onConnection(listener: (state: ConnectionState) => void): () => void {
    this.connectionListeners.add(listener);
    listener(this.state);
    return () => this.connectionListeners.delete(listener);
  }

  get connection(): ConnectionState {
    return this.state;
  }

  /** Closes the connection for good; whatever is still running is rejected. */
  close(): void {
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.close(1000, 'client closed');
    }
    this.failAll(new EngineError('disconnected', 'The connection to the Quire engine was closed'), () => true);
    this.outbox = [];
    this.setState({ status: 'closed', attempt: this.attempt });
  }

  private request(method: MethodName, params: unknown, resolve: (value: unknown) => void, reject: (error: EngineError) => void, onEvent?: (event: unknown) => void): number {
    const id = this.nextId++;
    const spec = schemaOf(method, 'params');
    if (!spec) {
      reject(new EngineError('bad-request', `Unknown method "${method}"`));
      return id;
    }
    const checked = spec.safeParse(params ?? {});
    if (!checked.success) {
      reject(new EngineError('bad-request', `Invalid parameters for ${method}: ${issues(checked.error)}`, checked.error.issues));
      return id;
    }
    const entry: Pending = { method, resolve, reject, sent: false };
    if (onEvent) entry.onEvent = onEvent;
    this.pending.set(id, entry);
    this.send({ type: 'call', id, method, params: checked.data });
    return id;
  }

  private cancel(id: number): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    if (!entry.sent) {
      // Never left this client: nothing runs in the engine to stop.
      this.outbox = this.outbox.filter((m) => m.id !== id);
      this.pending.delete(id);
      entry.reject(new EngineError('cancelled', 'Cancelled before it started'));
      return;
    }
    // The engine answers a cancel with the stream's final result (or a 'cancelled' error).
    this.send({ type: 'cancel', id });
  }

  private send(message: ClientMessage): void {
    if (this.socket && this.socket.readyState === OPEN) {
      this.socket.send(JSON.stringify(message));
      if (message.type === 'call') {
        const entry = this.pending.get(message.id);
        if (entry) entry.sent = true;
      }
    } else if (message.type === 'call') {
      this.outbox.push(message);
    }
    // A cancel for a call that was sent on a connection now lost needs no sending: the engine
    // stops its work when the connection closes, and failAll has settled the call.
  }

  private connect(): void {
    if (this.disposed) return;
    this.timer = null;
    this.setState({ status: this.everOpened || this.attempt > 0 ? 'reconnecting' : 'connecting', attempt: this.attempt });
    let socket: WebSocketLike;
    try {
      socket = new this.Socket(this.options.url);
    } catch (error) {
      this.emitError(new EngineError('disconnected', `Cannot open a connection to ${this.options.url}: ${(error as Error).message}`));
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      const reconnected = this.everOpened;
      this.everOpened = true;
      this.attempt = 0;
      this.setState({ status: 'open', attempt: 0, ...(reconnected ? { reconnected: true } : {}) });
      const queued = this.outbox;
      this.outbox = [];
      for (const message of queued) this.send(message);
    };
    socket.onmessage = (event: { data: unknown }) => this.receive(event.data);
    socket.onerror = () => {
      // A close event always follows; reconnecting is handled there.
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.failAll(new EngineError('disconnected', 'The connection to the Quire engine was lost before this finished'), (entry) => entry.sent);
      this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    if (this.disposed) return;
    const delay = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** this.attempt);
    this.attempt++;
    this.setState({ status: 'reconnecting', attempt: this.attempt, retryInMs: delay });
    this.timer = setTimeout(() => this.connect(), delay);
  }

  private receive(raw: unknown): void {
    if (typeof raw !== 'string') {
      this.emitError(new EngineError('bad-message', 'The engine sent a binary frame; only JSON text frames are expected'));
      return;
    }
    let data: unknown;
    try {
      data = JSON.parse(raw);
    } catch {
      this.emitError(new EngineError('bad-message', `The engine sent a frame that is not JSON: ${raw.slice(0, 120)}`));
      return;
    }
    const parsed = ServerMessage.safeParse(data);
    if (!parsed.success) {
      const error = new EngineError('bad-message', `The engine sent an invalid message: ${issues(parsed.error)}`, parsed.error.issues);
      const id = (data as { id?: unknown } | null)?.id;
      if (typeof id === 'number' && this.pending.has(id)) this.settle(id, error);
      else this.emitError(error);
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'notice':
        for (const listener of this.noticeListeners) this.safely(() => listener(message.notice));
        return;
      case 'error':
        if (message.id !== null && this.pending.has(message.id)) this.settle(message.id, EngineError.from(message.error));
        else this.emitError(EngineError.from(message.error));
        return;
      case 'result': {
        const entry = this.pending.get(message.id);
        if (!entry) return; // a late answer to something already settled (e.g. after a lost connection)
        const checked = schemaOf(entry.method, 'result')!.safeParse(message.result);
        if (checked.success) this.settle(message.id, null, checked.data);
        else this.settle(message.id, new EngineError('bad-result', `The engine sent an invalid result for ${entry.method}: ${issues(checked.error)}`, checked.error.issues));
        return;
      }
      case 'event': {
        const entry = this.pending.get(message.id);
        if (!entry) return;
        const schema = schemaOf(entry.method, 'event');
        if (!schema || !entry.onEvent) {
          this.settle(message.id, new EngineError('bad-message', `The engine sent a stream event for ${entry.method}, which is not a streaming method`));
          return;
        }
        const checked = schema.safeParse(message.event);
        if (!checked.success) {
          this.send({ type: 'cancel', id: message.id });
          this.settle(message.id, new EngineError('bad-event', `The engine sent an invalid ${entry.method} event: ${issues(checked.error)}`, checked.error.issues));
          return;
        }
        const onEvent = entry.onEvent;
        this.safely(() => onEvent(checked.data));
        return;
      }
    }
  }

  private settle(id: number, error: EngineError | null, value?: unknown): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    if (error) entry.reject(error);
    else entry.resolve(value);
  }

  private failAll(error: EngineError, which: (entry: Pending) => boolean): void {
    for (const [id, entry] of [...this.pending]) {
      if (!which(entry)) continue;
      this.pending.delete(id);
      entry.reject(error);
    }
  }

  private emitError(error: EngineError): void {
    if (this.errorListeners.size === 0) console.error(error);
    for (const listener of this.errorListeners) this.safely(() => listener(error));
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    for (const listener of this.connectionListeners) this.safely(() => listener(state));
  }

  /** A listener's bug must not stop the messages that follow. */
  private safely(run: () => void): void {
    try {
      run();
    } catch (error) {
      console.error(error);
    }
  }
}
