import { useEffect, useRef, useState } from 'react';
import { matchPassage } from './pdfMatch.js';

interface Box {
  left: number;
  top: number;
  width: number;
  height: number;
}

type PdfState =
  | { status: 'loading' }
  | { status: 'failed'; message: string }
  | { status: 'shown'; width: number; height: number; boxes: Box[]; pages: number };

type PdfJs = typeof import('pdfjs-dist');
let pdfjs: Promise<PdfJs> | null = null;

/**
 * pdf.js, loaded the first time a PDF page is shown. Its worker is bundled by Vite as a script of
 * this app's own origin (the page's CSP allows workers from 'self' only), and started here.
 */
function loadPdfJs(): Promise<PdfJs> {
  pdfjs ??= import('pdfjs-dist').then((lib) => {
    lib.GlobalWorkerOptions.workerPort = new Worker(new URL('pdfjs-dist/build/pdf.worker.min.mjs', import.meta.url), { type: 'module' });
    return lib;
  });
  return pdfjs;
}

/** Why a page could not be drawn, in words (pdf.js's own messages carry the file's URL, with its token). */
function reason(error: unknown): string {
  const e = error as { name?: string; status?: number } | null;
  if (e?.name === 'ResponseException') return e.status === 404 ? 'the file is no longer where it was read from' : `the file could not be fetched (HTTP ${e.status ?? 'error'})`;
  if (e?.name === 'PasswordException') return 'the PDF needs a password';
  if (e?.name === 'InvalidPDFException') return 'the file is not a readable PDF';
  return 'pdf.js could not read it';
}

/**
 * One page of a PDF, drawn by pdf.js from the document's URL, with the passage highlighted over
 * the words it was read from. Calls `onFailed` when the page cannot be shown, so that the text
 * view can stand in.
 */
export function PdfPage({ url, page, text, onFailed, onShown }: { url: string; page: number; text: string; onFailed(message: string): void; onShown?(highlights: number): void }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const frame = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<PdfState>({ status: 'loading' });
  const failed = useRef(onFailed);
  failed.current = onFailed;
  const shownRef = useRef(onShown);
  shownRef.current = onShown;

  useEffect(() => {
    let current = true;
    let cleanup: (() => void) | null = null;
    setState({ status: 'loading' });
    (async () => {
      const lib = await loadPdfJs();
      const task = lib.getDocument({ url, isEvalSupported: false, disableAutoFetch: true, disableStream: true, disableRange: true, withCredentials: false });
      cleanup = () => void task.destroy();
      // Closed (or moved to another passage) while pdf.js was loading: the document is let go at once.
      if (!current) return void task.destroy();
      const doc = await task.promise;
      const pdfPage = await doc.getPage(Math.min(Math.max(1, page), doc.numPages));
      if (!current || !canvas.current || !frame.current) return;
      const natural = pdfPage.getViewport({ scale: 1 });
      const width = Math.max(320, frame.current.clientWidth || 600);
      const viewport = pdfPage.getViewport({ scale: width / natural.width });
      const ratio = window.devicePixelRatio || 1;
      const element = canvas.current;
      element.width = Math.floor(viewport.width * ratio);
      element.height = Math.floor(viewport.height * ratio);
      await pdfPage.render({ canvas: element, viewport, transform: ratio === 1 ? undefined : [ratio, 0, 0, ratio, 0, 0] }).promise;
      const content = await pdfPage.getTextContent();
      const items = content.items.map((item) => ('str' in item ? item : null));
      const spans = matchPassage(items.map((item) => item?.str ?? ''), text);
      const boxes: Box[] = [];
      const measure = document.createElement('canvas').getContext('2d')!;
      for (const span of spans) {
        const item = items[span.item];
        if (!item || !item.str) continue;
        const m = lib.Util.transform(viewport.transform, item.transform);
        const fontHeight = Math.hypot(m[2]!, m[3]!);
        const itemWidth = item.width * viewport.scale;
        // Where the passage starts and ends mid-line: measured in a like font, as a share of the item's drawn width.
        measure.font = `${fontHeight}px ${content.styles[item.fontName]?.fontFamily ?? 'sans-serif'}`;
        const full = measure.measureText(item.str).width || 1;
        const share = (n: number) => (measure.measureText(item.str.slice(0, n)).width / full) * itemWidth;
        // Punctuation closing the item goes with the passage's last word.
        const end = /^[^\p{L}\p{N}]*$/u.test(item.str.slice(span.end)) ? item.str.length : span.end;
        const left = share(span.start);
        boxes.push({ left: m[4]! + left, top: m[5]! - fontHeight, width: Math.max(2, share(end) - left), height: fontHeight * 1.2 });
      }
      if (!current) return;
      setState({ status: 'shown', width: viewport.width, height: viewport.height, boxes, pages: doc.numPages });
      shownRef.current?.(boxes.length);
    })().catch((error: unknown) => {
      if (!current) return;
      const message = reason(error);
      setState({ status: 'failed', message });
      failed.current(message);
    });
    return () => {
      current = false;
      cleanup?.();
    };
  }, [url, page, text]);

  const first = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (state.status === 'shown') (first.current ?? frame.current)?.scrollIntoView({ block: 'center' });
  }, [state]);

  const shown = state.status === 'shown' ? state : null;
  return (
    <div className="pdf-page" data-testid="passage-pdf" data-page={page} data-status={state.status} data-highlights={shown ? shown.boxes.length : undefined}>
      {state.status === 'loading' ? <p className="muted small">Drawing page {page}…</p> : null}
      {shown && shown.boxes.length === 0 ? (
        <p className="muted small" data-testid="passage-pdf-unmatched">
          The passage's words are not in this page's text layer (a scanned page is read by OCR): its text is below the page.
        </p>
      ) : null}
      <div className="pdf-frame" ref={frame} style={shown ? { width: shown.width, height: shown.height } : undefined}>
        <canvas ref={canvas} data-testid="passage-pdf-canvas" data-page={page} aria-label={`Page ${page}`} role="img" style={shown ? { width: shown.width, height: shown.height } : { width: '100%', height: 0 }} />
        {shown?.boxes.map((box, i) => (
          <div
            key={i}
            ref={i === 0 ? first : undefined}
            className="pdf-highlight"
            data-testid="passage-pdf-highlight"
            style={{ left: box.left, top: box.top, width: box.width, height: box.height }}
          />
        ))}
      </div>
    </div>
  );
}
