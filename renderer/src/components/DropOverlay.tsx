import { useClient } from '../state/client.js';

export function DropOverlay() {
  const client = useClient();
  return (
    <div className="drop-overlay" data-testid="drop-overlay" aria-hidden="true">
      <div className="drop-card">
        {client.pathForFile ? (
          <>
            <strong>Drop a folder</strong> to make a library of it, or a <strong>.gguf</strong> file to add a model.
          </>
        ) : (
          <>
            <strong>Dropping folders needs the Quire desktop app.</strong> A browser does not tell a page where a folder is on
            disk; type its path in the New library form instead.
          </>
        )}
      </div>
    </div>
  );
}
