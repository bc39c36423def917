import { useBanner } from '../state/banner.js';

export function ErrorBanner() {
  const { items, dismiss } = useBanner();
  if (items.length === 0) return null;
  return (
    <div className="banner" data-testid="error-banner">
      {items.map((item) => (
        <div
          key={item.id}
          className={`banner-item banner-${item.kind}`}
          role={item.kind === 'error' ? 'alert' : 'status'}
          data-testid={item.kind === 'error' ? 'error-item' : 'notice-item'}
          data-code={item.code ?? undefined}
        >
          <span className="banner-message">
            {item.code && item.kind === 'error' ? <code className="banner-code">{item.code}</code> : null}
            {item.message}
            {item.count > 1 ? <span className="banner-count"> ×{item.count}</span> : null}
          </span>
          <button type="button" className="icon-button" aria-label="Dismiss" data-testid="error-dismiss" onClick={() => dismiss(item.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
