import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import type { ClientMessage, ServerMessage } from '../../electron/shared/contract.js';
import { EngineError } from '../../renderer/src/client/errors.js';
import { WebSocketClient, type ConnectionState, type Notice, type WebSocketConstructor } from '../../renderer/src/client/websocket.js';

/** A real WebSocket server whose replies each test scripts per received message. */
class FakeEngine {
  readonly server: WebSocketServer;
  readonly received: ClientMessage[] = [];
  readonly sockets: WebSocket[] = [];
  reply: (message: ClientMessage, send: (m: ServerMessage | Record<string, unknown> | string) => void) => void = () => {};
  private waiters: (() => void)[] = [];

  constructor() {
    this.server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    this.server.on('connection', (socket, request) => {
      if (!request.url?.includes('token=secret')) {
        socket.close(4001, 'bad token');
        return;
      }
      this.sockets.push(socket);
      socket.on('message', (data) => {
        const message = JSON.parse(String(data)) as ClientMessage;
        this.received.push(message);
        for (const wake of this.waiters.splice(0)) wake();
        this.reply(message, (m) => socket.send(typeof m === 'string' ? m : JSON.stringify(m)));
      });
    });
  }

  get url(): string {
    return `ws://127.0.0.1:${(this.server.address() as AddressInfo).port}/ws?token=secret`;
  }

  async until(test: () => boolean): Promise<void> {
    const deadline = Date.now() + 5_000;
    while (!test()) {
      if (Date.now() > deadline) throw new Error('timed out waiting for the client');
      await new Promise<void>((wake) => {
        this.waiters.push(wake);
        setTimeout(wake, 20);
      });
    }
  }

  close(): Promise<void> {
    for (const socket of this.server.clients) socket.terminate();
    return new Promise((done) => this.server.close(() => done()));
  }
}

const summary = { name: 'notes', file: '/data/notes.sqlite', folders: ['/home/a/notes'], documents: 3, chunks: 12, sizeBytes: 4096 };
const progress = (done: number) => ({ phase: 'indexing', done, total: 3, currentFile: `/home/a/notes/${done}.md`, chunks: done * 4 });
const indexSummary = { library: 'notes', seen: 3, indexed: 3, unchanged: 0, skipped: 0, failed: 0, removed: 0, chunks: 12, byReason: {}, seconds: 0.5, cancelled: false };

describe('WebSocketClient', () => {
  let engine: FakeEngine;
  let client: WebSocketClient;

  beforeEach(async () => {
    engine = new FakeEngine();
    await new Promise<void>((ready) => engine.server.once('listening', () => ready()));
    client = new WebSocketClient({ url: engine.url, WebSocket: WebSocket as unknown as WebSocketConstructor, reconnect: { initialDelayMs: 20, maxDelayMs: 50 } });
  });

  afterEach(async () => {
    client.close();
    await engine.close();
  });

  it('sends a call message and resolves with the validated result', async () => {
    engine.reply = (m, send) => {
      if (m.type === 'call') send({ type: 'result', id: m.id, result: [summary] });
    };
    await expect(client.call('libraries.list', {})).resolves.toEqual([summary]);
    expect(engine.received).toEqual([{ type: 'call', id: expect.any(Number), method: 'libraries.list', params: {} }]);
  });

  it('matches results to calls by id when they come back out of order', async () => {
    const held: { id: number; send: (m: ServerMessage) => void }[] = [];
    engine.reply = (m, send) => {
      if (m.type !== 'call') return;
      held.push({ id: m.id, send });
      if (held.length === 2) {
        for (const h of held.reverse()) h.send({ type: 'result', id: h.id, result: { removed: h === held[0] } });
      }
    };
    const first = client.call('libraries.remove', { library: 'a' });
    const second = client.call('libraries.remove', { library: 'b' });
    await expect(first).resolves.toEqual({ removed: false });
    await expect(second).resolves.toEqual({ removed: true });
  });

  it('rejects with the engine error payload', async () => {
    engine.reply = (m, send) => {
      if (m.type === 'call') send({ type: 'error', id: m.id, error: { code: 'no-library', message: 'No library named "x"' } });
    };
    const error = await client.call('libraries.status', { library: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ code: 'no-library', message: 'No library named "x"' });
  });

  it('flows stream events to the listener, then resolves the stream result', async () => {
    engine.reply = (m, send) => {
      if (m.type !== 'call') return;
      for (const done of [1, 2, 3]) send({ type: 'event', id: m.id, event: progress(done) });
      send({ type: 'result', id: m.id, result: indexSummary });
    };
    const handle = client.stream('libraries.index', { library: 'notes' });
    const events: number[] = [];
    handle.onEvent((event) => events.push(event.done));
    await expect(handle.result).resolves.toEqual(indexSummary);
    expect(events).toEqual([1, 2, 3]);
  });

  it('keeps events that arrive before a listener is attached', async () => {
    engine.reply = (m, send) => {
      if (m.type !== 'call') return;
      send({ type: 'event', id: m.id, event: { type: 'token', text: 'Hello [1]' } });
      send({ type: 'result', id: m.id, result: { conversationId: 4 } });
    };
    const handle = client.stream('ask', { library: 'notes', question: 'hi?' });
    await handle.result;
    const events: unknown[] = [];
    handle.onEvent((event) => events.push(event));
    expect(events).toEqual([{ type: 'token', text: 'Hello [1]' }]);
  });

  it('cancel sends a cancel message with the stream id', async () => {
    engine.reply = (m, send) => {
      if (m.type === 'call') send({ type: 'event', id: m.id, event: progress(1) });
      if (m.type === 'cancel') send({ type: 'result', id: m.id, result: { ...indexSummary, cancelled: true } });
    };
    const handle = client.stream('libraries.index', { library: 'notes' });
    await new Promise<void>((first) => handle.onEvent(() => first()));
    handle.cancel();
    await expect(handle.result).resolves.toMatchObject({ cancelled: true });
    const call = engine.received.find((m) => m.type === 'call')!;
    expect(engine.received.at(-1)).toEqual({ type: 'cancel', id: call.id });
  });

  it('rejects a call answered with a message that is not a ServerMessage, saying why', async () => {
    engine.reply = (m, send) => {
      if (m.type === 'call') send({ type: 'reply', id: m.id, result: [] });
    };
    const error = await client.call('libraries.list', {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'bad-message' });
    expect((error as Error).message).toMatch(/invalid message/);
  });

  it('reports frames that are not JSON as errors that belong to no call', async () => {
    const errors: EngineError[] = [];
    client.onError((e) => errors.push(e));
    engine.reply = (m, send) => {
      if (m.type === 'call') {
        send('not json at all');
        send({ type: 'result', id: m.id, result: [] });
      }
    };
    await expect(client.call('libraries.list', {})).resolves.toEqual([]);
    expect(errors.map((e) => e.code)).toEqual(['bad-message']);
    expect(errors[0]!.message).toMatch(/not JSON/);
  });

  it("rejects a result that fails the method's result schema", async () => {
    engine.reply = (m, send) => {
      if (m.type === 'call') send({ type: 'result', id: m.id, result: [{ name: 'notes', documents: -1 }] });
    };
    const error = await client.call('libraries.list', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineError);
    expect(error).toMatchObject({ code: 'bad-result' });
    expect((error as Error).message).toMatch(/invalid result for libraries\.list/);
  });

  it("rejects a stream whose event fails the method's event schema, and cancels it in the engine", async () => {
    engine.reply = (m, send) => {
      if (m.type === 'call') send({ type: 'event', id: m.id, event: { type: 'token', text: 42 } });
    };
    const handle = client.stream('ask', { library: 'notes', question: 'why?' });
    const events: unknown[] = [];
    handle.onEvent((e) => events.push(e));
    await expect(handle.result).rejects.toMatchObject({ code: 'bad-event' });
    expect(events).toEqual([]);
    await engine.until(() => engine.received.some((m) => m.type === 'cancel'));
  });

  it('rejects invalid params before sending anything', async () => {
    await expect(client.call('libraries.create', { library: '../etc', folders: ['/x'] })).rejects.toMatchObject({ code: 'bad-request' });
    engine.reply = (m, send) => {
      if (m.type === 'call') send({ type: 'result', id: m.id, result: [] });
    };
    await client.call('libraries.list', {});
    expect(engine.received.map((m) => m.type === 'call' && m.method)).toEqual(['libraries.list']);
  });

  it('passes notices to listeners', async () => {
    const notices: Notice[] = [];
    client.onNotice((n) => notices.push(n));
    engine.reply = (m, send) => {
      if (m.type !== 'call') return;
      send({ type: 'notice', notice: { kind: 'engine-restarted', message: 'The engine stopped and was restarted' } });
      send({ type: 'result', id: m.id, result: [] });
    };
    await client.call('libraries.list', {});
    expect(notices).toEqual([{ kind: 'engine-restarted', message: 'The engine stopped and was restarted' }]);
  });

  it('rejects calls in flight when the connection drops, then reconnects and sends new calls', async () => {
    const states: ConnectionState[] = [];
    client.onConnection((s) => states.push(s));
    engine.reply = (m, send) => {
      if (m.type === 'call' && m.method === 'libraries.list') send({ type: 'result', id: m.id, result: [] });
    };
    await client.call('libraries.list', {});
    const inFlight = client.call('libraries.status', { library: 'notes' });
    await engine.until(() => engine.received.some((m) => m.type === 'call' && m.method === 'libraries.status'));
    engine.sockets[0]!.terminate();
    await expect(inFlight).rejects.toMatchObject({ code: 'disconnected' });
    await expect(client.call('libraries.list', {})).resolves.toEqual([]);
    expect(engine.sockets.length).toBe(2);
    expect(states.some((s) => s.status === 'reconnecting')).toBe(true);
    expect(states.at(-1)).toMatchObject({ status: 'open', reconnected: true });
  });
});
