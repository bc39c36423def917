import { formatLocation } from '../../lib/format.js';
import { highlightSegments } from '../../lib/highlight.js';
import type { SearchResult } from '../../lib/types.js';

export function SearchResultItem({ result, onOpen }: { result: SearchResult; onOpen(): void }) {
  const location = formatLocation(result);
  return (
    <button type="button" className={result.weak ? 'search-result weak' : 'search-result'} data-testid="search-result" data-chunk={result.chunkId} data-weak={result.weak ? 'true' : undefined} onClick={onOpen}>
      <span className="result-head">
        <span className="path" title={result.path}>
          {result.relativePath}
        </span>
        {location ? <span className="muted small">{location}</span> : null}
      </span>
      <span className="snippet">
        {highlightSegments(result.snippet, result.highlights).map((s, i) => (s.marked ? <mark key={i}>{s.text}</mark> : <span key={i}>{s.text}</span>))}
      </span>
    </button>
  );
}
