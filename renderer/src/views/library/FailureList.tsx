import type { LibraryStatus } from '../../lib/types.js';

type DocumentInfo = LibraryStatus['documents'][number];

/** What each stable reason code means to a person. */
const REASON: Record<string, string> = {
  encrypted: 'Password-protected',
  corrupt: 'Damaged or unreadable format',
  'too-large': 'Too large',
  binary: 'Binary content',
  unreadable: 'Could not be read',
  unsupported: 'Format not supported',
  empty: 'Empty',
  'no-text': 'No text to extract',
  'symlink-loop': 'Link loop',
  'broken-link': 'Broken link',
  timeout: 'Took too long',
  'parser-crashed': 'Reader crashed',
};

export function FailureList({ documents, running, onRetry }: { documents: DocumentInfo[]; running: boolean; onRetry(): void }) {
  const problems = documents.filter((d) => d.status === 'failed' || d.status === 'skipped');
  if (problems.length === 0) return null;
  const failed = problems.filter((d) => d.status === 'failed').length;
  const groups = new Map<string, DocumentInfo[]>();
  for (const d of problems) {
    const key = `${d.status}:${d.reason ?? 'unknown'}`;
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  return (
    <div className="card" data-testid="failures">
      <div className="card-header">
        <h2>Not indexed ({problems.length})</h2>
        <button type="button" className="secondary" data-testid="retry-failed" disabled={running || failed === 0} onClick={onRetry} title={failed === 0 ? 'Skipped files are retried when they change' : undefined}>
          Retry failed
        </button>
      </div>
      <ul className="failure-groups" data-testid="failures-list">
        {[...groups].map(([key, docs]) => {
          const [status, reason] = key.split(':') as [string, string];
          return (
            <li key={key} className="failure-group">
              <h3>
                {REASON[reason] ?? reason} <span className={`badge badge-${status}`}>{status}</span> <span className="muted">({docs.length})</span>
              </h3>
              <ul>
                {docs.map((d) => (
                  <li key={d.path} className="failure-item" data-testid="failure-item" data-reason={d.reason ?? undefined} data-status={d.status}>
                    <span className="path">{d.relativePath}</span>
                    {d.message ? <span className="muted small"> — {d.message}</span> : null}
                  </li>
                ))}
              </ul>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
