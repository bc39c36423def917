import { describe, expect, it } from 'vitest';
import { denyPermissions, permissionAllowed, type PermissionSession } from '../../electron/main/security.js';

/** A stand-in for Electron's Session that keeps the handlers main installs, to call them as Chromium would. */
function fakeSession() {
  const handlers: { request?: Parameters<PermissionSession['setPermissionRequestHandler']>[0]; check?: Parameters<PermissionSession['setPermissionCheckHandler']>[0]; device?: Parameters<PermissionSession['setDevicePermissionHandler']>[0] } = {};
  const session: PermissionSession = {
    setPermissionRequestHandler: (handler) => void (handlers.request = handler),
    setPermissionCheckHandler: (handler) => void (handlers.check = handler),
    setDevicePermissionHandler: (handler) => void (handlers.device = handler),
  };
  const request = (permission: string, requestingUrl: string): boolean => {
    let answer: boolean | undefined;
    handlers.request!({}, permission, (granted) => (answer = granted), { requestingUrl });
    if (answer === undefined) throw new Error('the request handler never answered');
    return answer;
  };
  return { session, handlers, request };
}

// Electron's permission names (Session.setPermissionRequestHandler), the ones a page could ask for.
const PERMISSIONS = ['clipboard-read', 'clipboard-sanitized-write', 'display-capture', 'fullscreen', 'geolocation', 'idle-detection', 'media', 'mediaKeySystem', 'midi', 'midiSysex', 'notifications', 'pointerLock', 'keyboardLock', 'openExternal', 'speaker-selection', 'storage-access', 'top-level-storage-access', 'window-management', 'unknown', 'fileSystem', 'hid', 'serial', 'usb'];

describe('session permissions', () => {
  it('denies every permission request, except clipboard writes from the app itself', () => {
    const { session, request } = fakeSession();
    denyPermissions(session);
    for (const permission of PERMISSIONS) {
      expect(request(permission, 'https://evil.example/'), permission).toBe(false);
      expect(request(permission, 'file:///home/me/page.html'), permission).toBe(false);
      expect(request(permission, 'app://quire/index.html'), permission).toBe(permission === 'clipboard-sanitized-write');
    }
    expect(request('clipboard-sanitized-write', 'app://quire.evil.example/')).toBe(false);
  });

  it('permission checks and device permissions answer no in the same way', () => {
    const { session, handlers } = fakeSession();
    denyPermissions(session);
    for (const permission of PERMISSIONS) {
      expect(handlers.check!({}, permission, 'https://evil.example', { requestingUrl: 'https://evil.example/x' }), permission).toBe(false);
      expect(handlers.check!({}, permission, 'app://quire', {}), permission).toBe(permission === 'clipboard-sanitized-write');
    }
    expect(handlers.device!({ deviceType: 'usb', origin: 'app://quire' })).toBe(false);
    expect(handlers.device!({ deviceType: 'hid', origin: 'https://evil.example' })).toBe(false);
  });

  it('permissionAllowed needs both the permission and the app origin', () => {
    expect(permissionAllowed('clipboard-sanitized-write', undefined)).toBe(false);
    expect(permissionAllowed('clipboard-read', 'app://quire/index.html')).toBe(false);
    expect(permissionAllowed('clipboard-sanitized-write', 'app://quire')).toBe(true);
  });
});
