/** Browser mode opened without the per-run token: say where to get the right link. */
export function NoToken() {
  return (
    <main className="no-token" data-testid="no-token">
      <h1>Open Quire from the link it printed</h1>
      <p>
        This page talks to the Quire engine started by <code>quire serve</code>. That command prints a link with a one-time
        token (<code>http://127.0.0.1:PORT/?token=…</code>); open that link in this browser. A new token is made each time
        the server starts.
      </p>
    </main>
  );
}
