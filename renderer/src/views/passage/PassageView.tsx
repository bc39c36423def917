import { useEffect, useRef, useState, type KeyboardEvent, type Ref } from 'react';
import type { ErrorPayload } from '../../../../electron/shared/contract.js';
import { toErrorPayload } from '../../client/errors.js';
import { formatLocation } from '../../lib/format.js';
import type { Passage } from '../../lib/types.js';
import type { PassageTarget } from '../../state/app.js';
import { useBanner } from '../../state/banner.js';
import { useClient } from '../../state/client.js';
import { OpenFileButton } from './OpenFileButton.js';
import { PdfPage } from './PdfPage.js';

/** A cited or found passage, read in its context (the passages before and after it). */
export function PassageView({ target, onClose }: { target: PassageTarget; onClose(): void }) {
  const client = useClient();
  const { report } = useBanner();
  const [passage, setPassage] = useState<Passage | null>(null);
  const [error, setError] = useState<ErrorPayload | null>(null);
  const [pdfFailed, setPdfFailed] = useState<string | null>(null);
  // A page whose text layer lacks the passage (a scan read by OCR) shows the passage's text unfolded.
  const [pdfUnmatched, setPdfUnmatched] = useState(false);
  const dialog = useRef<HTMLDivElement>(null);
  const mark = useRef<HTMLElement>(null);

  useEffect(() => {
    let current = true;
    setPassage(null);
    setError(null);
    setPdfFailed(null);
    setPdfUnmatched(false);
    client.call('passages.get', { library: target.library, chunkId: target.chunkId }).then(
      (p) => current && setPassage(p),
      (e: unknown) => {
        if (!current) return;
        const payload = toErrorPayload(e);
        setError(payload);
        if (payload.code !== 'not-found') report(e, 'Opening the passage');
      },
    );
    return () => {
      current = false;
    };
  }, [client, target.library, target.chunkId, report]);

  // Focus moves into the dialog and back to where it was when the dialog closes.
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null;
    dialog.current?.focus();
    return () => before?.focus?.();
  }, []);

  // A passage from a PDF is shown on its page, drawn from the document's URL (browser mode serves it).
  const pdf = passage && passage.fileUrl && passage.page !== null && (passage.kind === 'pdf' || /\.pdf$/i.test(passage.path)) && !pdfFailed ? passage : null;

  useEffect(() => {
    if (!pdf) mark.current?.scrollIntoView({ block: 'center' });
  }, [passage, pdf]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      onClose();
    }
  };

  const source = target.source;
  const title = passage?.relativePath ?? source?.relativePath ?? 'Passage';
  const location = passage ? formatLocation(passage) : source ? formatLocation(source) : '';
  return (
    <div className="passage-backdrop" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div className="passage-view" role="dialog" aria-modal="true" aria-labelledby="passage-title" tabIndex={-1} ref={dialog} onKeyDown={onKeyDown} data-testid="passage-view">
        <header className="passage-header">
          <div>
            <h2 id="passage-title" className="path" title={passage?.path ?? source?.path}>
              {source ? <span className="cite-chip static">{source.n}</span> : null} {title}
            </h2>
            {location ? (
              <p className="muted small" data-testid="passage-location">
                {location}
              </p>
            ) : null}
            {/* In the header, so that it shows while the text below is scrolled to the passage. */}
            {pdfFailed ? (
              <p className="muted small" data-testid="passage-pdf-failed">
                The page could not be drawn ({pdfFailed}); the passage is shown in its text.
              </p>
            ) : null}
          </div>
          <div className="passage-actions">
            {passage ? <OpenFileButton passage={passage} /> : null}
            <button type="button" className="icon-button" aria-label="Close" data-testid="passage-close" onClick={onClose}>
              ×
            </button>
          </div>
        </header>
        <div className="passage-body">
          {pdf ? (
            <>
              <PdfPage url={pdf.fileUrl!} page={pdf.page!} text={pdf.text} onFailed={setPdfFailed} onShown={(highlights) => setPdfUnmatched(highlights === 0)} />
              <details className="passage-as-text" open={pdfUnmatched || undefined}>
                <summary>The passage as text</summary>
                <PassageContext passage={pdf} />
              </details>
            </>
          ) : passage ? (
            <PassageContext passage={passage} markRef={mark} />
          ) : error ? (
            <div data-testid="passage-error">
              <p className="field-error">{error.message}</p>
              {source ? (
                <>
                  <p className="muted small">The passage as it was cited:</p>
                  <div className="passage-context">
                    <mark className="passage-mark" data-testid="passage-mark">
                      {source.text}
                    </mark>
                  </div>
                </>
              ) : null}
            </div>
          ) : (
            <p className="muted">Loading…</p>
          )}
        </div>
      </div>
    </div>
  );
}

/** The passage marked between its neighbours. */
function PassageContext({ passage, markRef }: { passage: Passage; markRef?: Ref<HTMLElement> }) {
  return (
    <div className="passage-context" data-testid="passage-text">
      {passage.before ? <p className="context">{passage.before}</p> : null}
      <mark ref={markRef} className="passage-mark" data-testid="passage-mark">
        {passage.text}
      </mark>
      {passage.after ? <p className="context">{passage.after}</p> : null}
    </div>
  );
}
