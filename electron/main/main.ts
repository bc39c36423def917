import { app, BrowserWindow, ipcMain, MessageChannelMain, protocol, session, shell, utilityProcess, type MessagePortMain } from 'electron';
import { join } from 'node:path';
import { EngineHost } from './engine-host.js';
import { registerIpcHandlers, type IpcMainLike } from './ipc-router.js';
import { appProtocolHandler } from './protocol.js';
import { APP_ORIGIN, denyPermissions, hardenWebContents, windowOptions } from './security.js';

// Layout of the packaged app: dist-electron/{main,preload}.cjs next to dist/ (engine) and renderer/dist.
const root = join(__dirname, '..');
const rendererDir = join(root, 'renderer', 'dist');
const engineEntry = join(root, 'dist', 'engine', 'host', 'utility-entry.js');

protocol.registerSchemesAsPrivileged([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
app.enableSandbox();

const windows = new Set<BrowserWindow>();
// QUIRE_WORKERS=thread: parsers and OCR run as worker threads of the engine, since fork does not work
// in a packaged app (RunAsNode fuse off); the engine would also choose threads by itself under Electron.
const engine = new EngineHost<MessagePortMain>(
  () => utilityProcess.fork(engineEntry, [], { serviceName: 'Quire engine', env: { ...process.env, QUIRE_DATA_DIR: process.env.QUIRE_DATA_DIR ?? app.getPath('userData'), QUIRE_WORKERS: 'thread' } }),
  (message) => {
    for (const window of windows) window.webContents.send('quire:notice', { kind: 'engine-restarted', message });
  },
);

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
  protocol.handle('app', appProtocolHandler(rendererDir));
  engine.start();
  registerIpcHandlers(ipcMain as unknown as IpcMainLike, engine, () => new MessageChannelMain());
  createWindow();
  app.on('activate', () => BrowserWindow.getAllWindows().length === 0 && createWindow());
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
app.on('before-quit', () => engine.stop());
