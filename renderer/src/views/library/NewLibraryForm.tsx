import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { LibraryName } from '../../../../electron/shared/library.js';
import { basename, parsePatterns } from '../../lib/format.js';
import { useApp } from '../../state/app.js';
import { useBanner } from '../../state/banner.js';
import { useClient } from '../../state/client.js';
import { useIndexing } from '../../state/indexing.js';

/** A library name from a folder's name, kept to the portable alphabet library names use. */
function suggestName(path: string): string {
  const name = basename(path).replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 64);
  return name || 'library';
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

export function NewLibraryForm() {
  const client = useClient();
  const { report } = useBanner();
  const { libraries, settings, refreshLibraries, select, setView, drop, setDrop } = useApp();
  const { start } = useIndexing();
  const [name, setName] = useState('');
  const [folder, setFolder] = useState('');
  const [include, setInclude] = useState('');
  const [exclude, setExclude] = useState('');
  const [embedder, setEmbedder] = useState('');
  const [lexicalOnly, setLexicalOnly] = useState(false);
  const [busy, setBusy] = useState(false);
  const folderInput = useRef<HTMLInputElement>(null);
  const id = useId();

  useEffect(() => {
    if (!drop) return;
    if (drop.path) {
      setFolder(drop.path);
      setName((current) => current || suggestName(drop.path!));
    }
    folderInput.current?.focus();
  }, [drop]);

  const nameCheck = name ? LibraryName.safeParse(name) : null;
  const nameError = nameCheck && !nameCheck.success ? capitalised(nameCheck.error.issues[0]?.message ?? 'Not a valid name') : libraries?.some((l) => l.name === name) ? `A library named "${name}" already exists` : null;
  const canSubmit = !busy && !!name && !nameError && folder.trim() !== '';

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!canSubmit) return;
    setBusy(true);
    try {
      const includeList = parsePatterns(include);
      const excludeList = parsePatterns(exclude);
      const created = await client.call('libraries.create', {
        library: name,
        folders: [folder.trim()],
        ...(includeList ? { include: includeList } : {}),
        ...(excludeList ? { exclude: excludeList } : {}),
        ...(lexicalOnly ? { embedder: null } : embedder.trim() ? { embedder: embedder.trim() } : {}),
      });
      await refreshLibraries();
      select(created.name);
      setDrop(null);
      setView('library');
      start(created.name);
    } catch (error) {
      report(error, `Creating the library "${name}"`);
    } finally {
      setBusy(false);
    }
  };

  const defaultEmbedder = settings?.defaultEmbedder;
  return (
    <form className="form new-library-form" onSubmit={submit} data-testid="new-library-form" aria-label="New library">
      {drop?.browserDrop ? (
        <p className="callout" role="status" data-testid="drop-message">
          Dragging a folder in needs the Quire desktop app: a browser does not tell a page where a dropped folder is on disk.
          Type the folder's full path below instead (for example <code>/home/you/Documents/notes</code>).
        </p>
      ) : null}
      <div className="field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input
          id={`${id}-name`}
          data-testid="new-library-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="notes"
          autoComplete="off"
          aria-invalid={nameError ? true : undefined}
          aria-describedby={`${id}-name-hint`}
        />
        <p id={`${id}-name-hint`} className={nameError ? 'field-error' : 'hint'}>
          {nameError ?? 'Letters, digits, ".", "_" and "-".'}
        </p>
      </div>
      <div className="field">
        <label htmlFor={`${id}-folder`}>Folder</label>
        <input
          id={`${id}-folder`}
          ref={folderInput}
          data-testid="new-library-folder"
          value={folder}
          onChange={(e) => setFolder(e.target.value)}
          placeholder="/home/you/Documents"
          autoComplete="off"
          spellCheck={false}
        />
        <p className="hint">
          {client.pathForFile ? 'The full path of the folder with your documents, or drop the folder on this window.' : 'The full path of the folder with your documents, on the computer running Quire.'}
        </p>
      </div>
      <details className="advanced">
        <summary>Options</summary>
        <div className="field">
          <label htmlFor={`${id}-include`}>Only files matching</label>
          <input id={`${id}-include`} data-testid="new-library-include" value={include} onChange={(e) => setInclude(e.target.value)} placeholder="**/*.md, **/*.pdf" spellCheck={false} />
        </div>
        <div className="field">
          <label htmlFor={`${id}-exclude`}>Skip files matching</label>
          <input id={`${id}-exclude`} data-testid="new-library-exclude" value={exclude} onChange={(e) => setExclude(e.target.value)} placeholder="**/drafts/**" spellCheck={false} />
          <p className="hint">Glob patterns, separated by commas.</p>
        </div>
        <div className="field">
          <label htmlFor={`${id}-embedder`}>Embedding model</label>
          <input
            id={`${id}-embedder`}
            data-testid="new-library-embedder"
            value={embedder}
            onChange={(e) => setEmbedder(e.target.value)}
            placeholder={defaultEmbedder ? `${defaultEmbedder} (default)` : 'none by default: keyword search only'}
            disabled={lexicalOnly}
            spellCheck={false}
          />
          <label className="checkbox">
            <input type="checkbox" data-testid="new-library-lexical-only" checked={lexicalOnly} onChange={(e) => setLexicalOnly(e.target.checked)} />
            Keyword search only (no embedding model)
          </label>
        </div>
      </details>
      <div className="actions">
        <button type="submit" className="primary" data-testid="new-library-submit" disabled={!canSubmit}>
          {busy ? 'Creating…' : 'Create and index'}
        </button>
      </div>
    </form>
  );
}
