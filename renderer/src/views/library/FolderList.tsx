import { useId, useState, type FormEvent } from 'react';
import { parsePatterns } from '../../lib/format.js';
import type { LibraryStatus } from '../../lib/types.js';
import { useApp } from '../../state/app.js';
import { useBanner } from '../../state/banner.js';
import { useClient } from '../../state/client.js';

export function FolderList({ library, status, onChanged }: { library: string; status: LibraryStatus; onChanged(status: LibraryStatus): void }) {
  const client = useClient();
  const { report } = useBanner();
  const { refreshLibraries } = useApp();
  const [folder, setFolder] = useState('');
  const [include, setInclude] = useState('');
  const [exclude, setExclude] = useState('');
  const [busy, setBusy] = useState(false);
  const id = useId();

  const add = async (event: FormEvent) => {
    event.preventDefault();
    if (!folder.trim()) return;
    setBusy(true);
    try {
      const includeList = parsePatterns(include);
      const excludeList = parsePatterns(exclude);
      onChanged(await client.call('libraries.addFolder', { library, folder: folder.trim(), ...(includeList ? { include: includeList } : {}), ...(excludeList ? { exclude: excludeList } : {}) }));
      setFolder('');
      setInclude('');
      setExclude('');
      void refreshLibraries();
    } catch (error) {
      report(error, `Adding ${folder}`);
    } finally {
      setBusy(false);
    }
  };

  const remove = async (path: string) => {
    if (!window.confirm(`Stop indexing ${path}? Its documents leave the library; the files are not touched.`)) return;
    try {
      onChanged(await client.call('libraries.removeFolder', { library, folder: path }));
      void refreshLibraries();
    } catch (error) {
      report(error, `Removing ${path}`);
    }
  };

  return (
    <div className="card">
      <h2>Folders</h2>
      <ul className="folder-list" data-testid="folder-list">
        {status.folders.map((path) => (
          <li key={path} className="folder-item" data-testid="folder-item">
            <span className="path">{path}</span>
            <button type="button" className="secondary small" data-testid="folder-remove" onClick={() => remove(path)} disabled={status.folders.length === 1} title={status.folders.length === 1 ? 'A library keeps at least one folder' : undefined}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <form className="form inline-form" onSubmit={add} aria-label="Add a folder">
        <div className="field grow">
          <label htmlFor={`${id}-folder`}>Add a folder</label>
          <input id={`${id}-folder`} data-testid="add-folder-path" value={folder} onChange={(e) => setFolder(e.target.value)} placeholder="/home/you/Papers" spellCheck={false} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-include`}>Only files matching</label>
          <input id={`${id}-include`} data-testid="add-folder-include" value={include} onChange={(e) => setInclude(e.target.value)} placeholder="**/*.pdf" spellCheck={false} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-exclude`}>Skip files matching</label>
          <input id={`${id}-exclude`} data-testid="add-folder-exclude" value={exclude} onChange={(e) => setExclude(e.target.value)} placeholder="**/old/**" spellCheck={false} />
        </div>
        <button type="submit" className="secondary" data-testid="add-folder-submit" disabled={busy || !folder.trim()}>
          Add folder
        </button>
      </form>
      <p className="hint">New folders are read the next time you index. Patterns apply to the folder they are added with.</p>
    </div>
  );
}
