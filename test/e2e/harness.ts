/// <reference lib="dom" />
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import WebSocket from 'ws';
import { startBrowserMode, type BrowserModeServer } from '../../electron/cli/server.js';
import type { Notice } from '../../electron/shared/contract.js';
import { ROOT, tempDir } from '../helpers.js';

export const CHROMIUM = '/usr/bin/chromium';
export const UI = join(ROOT, 'renderer', 'dist', 'index.html');
export const MODELS = resolve(ROOT, '..', 'shared', 'models');
export const BASE = resolve(MODELS, 'stories260K', 'stories260K.gguf');
export const CHAT = resolve(MODELS, 'stories260K-chat', 'stories260K-chat.gguf');
export const RANDOM_LLAMA = resolve(MODELS, 'llama-2-tiny-random', 'llama-2-tiny-random.gguf');
export const LORA = resolve(MODELS, 'stories260K-happy-lora', 'stories260K-happy-lora.gguf');
export const haveBrowser = existsSync(CHROMIUM) && existsSync(UI);
export const haveModels = existsSync(BASE) && existsSync(LORA);

/** Screenshots of every state the tests reach: git-ignored, printed so that a person can look at them. */
export const SHOTS = join(ROOT, 'test', 'e2e', 'screenshots');

export function warnSkips(what: string): void {
  if (!haveBrowser) console.warn(`[skipped] ${what}: need ${CHROMIUM} (apt install chromium) and a built UI (${UI}; npm run build)`);
}

/**
 * A second client of the same server, as another window or a script would be: a raw WebSocket
 * speaking the contract's wire messages. It proves that a change reaches a window through the
 * engine's notices, since the window under test made no call of its own.
 */
export class WireClient {
  readonly notices: Notice[] = [];
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();

  private constructor(private readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const message = JSON.parse(String(data)) as { type: string; id?: number; result?: unknown; error?: { code: string; message: string }; notice?: Notice };
      if (message.type === 'notice') this.notices.push(message.notice!);
      const waiting = message.id === undefined ? undefined : this.pending.get(message.id);
      if (!waiting) return;
      if (message.type === 'result') {
        this.pending.delete(message.id!);
        waiting.resolve(message.result);
      } else if (message.type === 'error') {
        this.pending.delete(message.id!);
        waiting.reject(new Error(`${message.error!.code}: ${message.error!.message}`));
      }
    });
  }

  static async connect(server: BrowserModeServer): Promise<WireClient> {
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`);
    await new Promise<void>((done, fail) => {
      socket.once('open', () => done());
      socket.once('error', fail);
    });
    return new WireClient(socket);
  }

  /** A call or a whole stream (its events are dropped): resolves with the result. */
  call<T = unknown>(method: string, params: unknown): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.socket.send(JSON.stringify({ type: 'call', id, method, params }));
    });
  }

  close(): void {
    this.socket.close();
  }
}

export interface Harness {
  tmp: ReturnType<typeof tempDir>;
  server: BrowserModeServer;
  browser: Browser;
  newPage(): Promise<Page>;
  /** Writes `<SHOTS>/<prefix>-<name>.png`. */
  shot(page: Page, name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(prefix: string): Promise<Harness> {
  const tmp = tempDir(`quire-${prefix}-`);
  mkdirSync(SHOTS, { recursive: true });
  console.log(`[screenshots] ${SHOTS}/${prefix}-*.png`);
  const server = await startBrowserMode({ dataDir: join(tmp.dir, 'data'), watch: false });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    tmp,
    server,
    browser,
    newPage: () => browser.newPage({ viewport: { width: 1280, height: 860 } }),
    shot: async (page, name) => {
      await page.screenshot({ path: join(SHOTS, `${prefix}-${name}.png`), fullPage: true });
    },
    close: async () => {
      await browser.close();
      await server.close();
      tmp.cleanup();
    },
  };
}

/** Marks the page so that a reload (which would hide a stale view instead of fixing it) is caught. */
export async function markNoReload(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { quireNoReload: boolean }).quireNoReload = true;
  });
}

export async function wasReloaded(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { quireNoReload?: boolean }).quireNoReload !== true);
}

/** The part of an element that shows in the window's viewport, as a fraction of its height (0: scrolled out of view). */
export async function visibleFraction(page: Page, testId: string): Promise<number> {
  return page.getByTestId(testId).first().evaluate((element) => {
    const box = element.getBoundingClientRect();
    const shown = Math.min(box.bottom, window.innerHeight) - Math.max(box.top, 0);
    return box.height > 0 ? Math.max(0, shown) / box.height : 0;
  });
}
