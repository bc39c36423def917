import { useEffect, useState } from 'react';
import type { ConnectionState } from '../client/index.js';
import { useClient } from '../state/client.js';
import { formatDuration } from '../lib/format.js';

export function ConnectionStatus() {
  const client = useClient();
  const [state, setState] = useState<ConnectionState | null>(null);
  useEffect(() => client.onConnection?.(setState), [client]);

  if (client.shell === 'electron' || !state) return null;
  const text =
    state.status === 'open'
      ? 'Connected'
      : state.status === 'connecting'
        ? 'Connecting…'
        : state.status === 'closed'
          ? 'Disconnected'
          : state.retryInMs !== undefined
            ? `Connection lost; retrying in ${formatDuration(state.retryInMs / 1000)}`
            : 'Reconnecting…';
  return (
    <div className={`connection connection-${state.status}`} data-testid="connection-status" data-status={state.status} role="status">
      <span className="dot" aria-hidden="true" />
      {text}
      {state.status === 'reconnecting' && state.attempt >= 3 ? (
        <p className="hint">If you restarted <code>quire serve</code>, open the new link it printed: the token changes each run.</p>
      ) : null}
    </div>
  );
}
