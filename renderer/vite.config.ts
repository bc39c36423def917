import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

/**
 * The built page allows only its own scripts and styles, and sockets to the loopback server that
 * served it. Added at build time only: the dev server injects inline scripts of its own. The
 * shells (Electron's app:// protocol, `quire serve`) should send the same policy as a header.
 *
 * Inline styles are allowed, as the shells' header policies already allow them: the Evaluate view
 * shows the evaluation report in a sandboxed `srcdoc` frame, which inherits this policy, and the
 * report's stylesheet is an inline <style>. Scripts stay 'self' only (and the frame allows none).
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self' ws://127.0.0.1:* ws://localhost:*",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

const contentSecurityPolicy = (): Plugin => ({
  name: 'quire-csp',
  apply: 'build',
  transformIndexHtml: () => [{ tag: 'meta', attrs: { 'http-equiv': 'Content-Security-Policy', content: CSP }, injectTo: 'head-prepend' }],
});

export default defineConfig({
  root: import.meta.dirname,
  base: './',
  plugins: [react(), contentSecurityPolicy()],
  // pdf.js's worker (the passage view draws PDF pages) is bundled as an ES module script of the app's own origin.
  worker: { format: 'es' },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The polyfill would be an inline script; every browser Quire runs in has modulepreload.
    modulePreload: { polyfill: false },
    target: 'chrome120',
    sourcemap: true,
    chunkSizeWarningLimit: 1024,
  },
});
