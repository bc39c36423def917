import type { BrowserWindowConstructorOptions, WebContents } from 'electron';

export const APP_ORIGIN = 'app://quire';

/** The UI's own pages only; everything else (remote code, inline script, plugins) is refused. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

/** Links the app may hand to the system browser: model cards and licences, nothing else. */
const EXTERNAL_ALLOWED = [/^https:\/\/huggingface\.co\//, /^https:\/\/github\.com\//];

export function windowOptions(preloadPath: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 820,
    minWidth: 760,
    minHeight: 520,
    show: false,
    title: 'Quire',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      navigateOnDragDrop: false,
    },
  };
}

export function isAppUrl(url: string): boolean {
  return url === APP_ORIGIN || url.startsWith(`${APP_ORIGIN}/`);
}

export function isVettedExternalUrl(url: string): boolean {
  return EXTERNAL_ALLOWED.some((pattern) => pattern.test(url));
}

/** No navigation away from the app, no new windows; vetted links open in the system browser. */
export function hardenWebContents(contents: Pick<WebContents, 'on' | 'setWindowOpenHandler'>, openExternal: (url: string) => void): void {
  contents.on('will-navigate', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isAppUrl(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isVettedExternalUrl(url)) openExternal(url);
    return { action: 'deny' };
  });
}

/**
 * The one permission the UI uses: writing text to the clipboard on a click ("Copy answer with
 * sources"), which Chromium asks for as `clipboard-sanitized-write`. Everything else (camera,
 * microphone, geolocation, notifications, MIDI, HID, serial, USB, clipboard reading, fullscreen,
 * opening external protocols...) is refused.
 */
const GRANTED_TO_APP = new Set(['clipboard-sanitized-write']);

/** Whether a page at `url` (or of this origin) gets `permission`: only the app's own page, and only the one above. */
export function permissionAllowed(permission: string, url: string | undefined): boolean {
  return GRANTED_TO_APP.has(permission) && url !== undefined && isAppUrl(url);
}

/** The parts of Electron's Session the permission handlers need. */
export interface PermissionSession {
  setPermissionRequestHandler(handler: (webContents: unknown, permission: string, callback: (granted: boolean) => void, details: { requestingUrl?: string }) => void): void;
  setPermissionCheckHandler(handler: (webContents: unknown, permission: string, requestingOrigin: string, details: { requestingUrl?: string }) => boolean): void;
  setDevicePermissionHandler(handler: (details: unknown) => boolean): void;
}

/** Deny-all permission handlers on a session: requests, checks and devices (see `permissionAllowed`). */
export function denyPermissions(session: PermissionSession): void {
  session.setPermissionRequestHandler((_contents, permission, callback, details) => callback(permissionAllowed(permission, details.requestingUrl)));
  session.setPermissionCheckHandler((_contents, permission, requestingOrigin, details) => permissionAllowed(permission, details.requestingUrl ?? requestingOrigin));
  session.setDevicePermissionHandler(() => false);
}
