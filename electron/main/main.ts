import { app, BrowserWindow, ipcMain, MessageChannelMain, protocol, session, shell, utilityProcess, type MessagePortMain } from 'electron';
import { join } from 'node:path';
import { EngineHost, type EngineProcess } from '../host/engine-host.js';
import type { EngineToHost } from '../shared/engine-protocol.js';
import { engineLink } from './engine-link.js';
import { registerIpcHandlers, type IpcMainLike } from './ipc-router.js';
import { appProtocolHandler, DOCUMENT_URL_TEMPLATE } from './protocol.js';
import { APP_ORIGIN, denyPermissions, hardenWebContents, windowOptions } from './security.js';

// Layout of the packaged app: dist-electron/{main,preload}.cjs next to dist/ (engine) and renderer/dist.
const root = join(__dirname, '..');
const rendererDir = join(root, 'renderer', 'dist');
const engineEntry = join(root, 'dist', 'engine', 'host', 'engine-entry.js');

protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
app.enableSandbox();

const windows = new Set<BrowserWindow>();

/** The engine in an Electron utility process: the same entry and host protocol as `quire serve`'s child process. */
function utilityEngineProcess(): EngineProcess {
  const child = utilityProcess.fork(engineEntry, [], { serviceName: 'Quire engine', stdio: 'inherit' });
  let exited = false;
  const exitListeners: ((detail: string) => void)[] = [];
  child.on('exit', (code: number) => {
    exited = true;
    for (const listener of exitListeners.splice(0)) listener(`exit code ${code}`);
  });
  return {
    get pid() {
      return child.pid ?? null;
    },
    send: (message) => {
      if (!exited) child.postMessage(message);
    },
    onMessage: (listener) => child.on('message', (message: unknown) => listener(message as EngineToHost)),
    onExit: (listener) => {
      if (exited) listener('already exited');
      else exitListeners.push(listener);
    },
    kill: () => {
      if (!exited) child.kill();
    },
  };
}

const engine = new EngineHost({
  spawn: utilityEngineProcess,
  // Parser and OCR workers run as worker threads: packaged, the RunAsNode fuse is off and fork() cannot start Node.
  init: { dataDir: process.env.QUIRE_DATA_DIR ?? app.getPath('userData'), watch: true, openFiles: false, workers: 'thread', fileUrlTemplate: DOCUMENT_URL_TEMPLATE },
  onNotice: (notice) => {
    for (const window of windows) window.webContents.send('quire:notice', notice);
  },
  health: { intervalMs: 10_000, timeoutMs: 120_000 },
});

function createWindow(): void {
  const window = new BrowserWindow(windowOptions(join(__dirname, 'preload.cjs')));
  windows.add(window);
  window.on('closed', () => windows.delete(window));
  hardenWebContents(window.webContents, (url) => void shell.openExternal(url));
  window.once('ready-to-show', () => window.show());
  void window.loadURL(`${APP_ORIGIN}/index.html`);
}

app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, (url) => void shell.openExternal(url)));

void app.whenReady().then(() => {
  denyPermissions(session.defaultSession);
  protocol.handle('app', appProtocolHandler(rendererDir, { engine }));
  engine.start().catch((error: unknown) => {
    for (const window of windows) window.webContents.send('quire:notice', { kind: 'engine-restarted', message: `The engine could not start: ${(error as Error).message}` });
  });
  const openFile = async (path: string) => (await shell.openPath(path)) === '';
  registerIpcHandlers(ipcMain as unknown as IpcMainLike, engineLink<MessagePortMain>(engine, { openFile }), () => new MessageChannelMain());
  createWindow();
  app.on('activate', () => BrowserWindow.getAllWindows().length === 0 && createWindow());
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
app.on('before-quit', () => void engine.stop());
