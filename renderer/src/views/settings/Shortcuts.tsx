const SHORTCUTS: [string, string][] = [
  ['Enter', 'Ask (in the question box; Shift+Enter for a new line)'],
  ['Ctrl/Cmd + Enter', 'Ask, from anywhere'],
  ['Escape', 'Stop the answer, or close the passage'],
  ['Ctrl/Cmd + Shift + N', 'New chat'],
  ['Ctrl/Cmd + K', 'Search'],
];

export function Shortcuts() {
  return (
    <div className="card">
      <h2>Keyboard shortcuts</h2>
      <dl className="shortcuts" data-testid="shortcuts">
        {SHORTCUTS.map(([keys, what]) => (
          <div key={keys}>
            <dt>
              <kbd>{keys}</kbd>
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}
