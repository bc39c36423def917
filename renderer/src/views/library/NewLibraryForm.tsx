import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import type { StreamHandle } from '../../../../electron/shared/contract.js';
import { LibraryName } from '../../../../electron/shared/library.js';
import { toErrorPayload } from '../../client/errors.js';
import { basename, formatBytes, parsePatterns } from '../../lib/format.js';
import type { CatalogItem, PullProgress } from '../../lib/types.js';
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
  // Until the person types in the field, it follows the suggestion (the default, else an installed embedder).
  const [embedderTouched, setEmbedderTouched] = useState(false);
  const [catalog, setCatalog] = useState<CatalogItem[] | null>(null);
  const [pull, setPull] = useState<{ item: CatalogItem; progress: PullProgress | null; handle: StreamHandle<'models.pull'> } | null>(null);
  const [busy, setBusy] = useState(false);
  const folderInput = useRef<HTMLInputElement>(null);
  const pullHandle = useRef<StreamHandle<'models.pull'> | null>(null);
  const id = useId();

  useEffect(() => {
    let current = true;
    client.call('models.catalog', {}).then(
      (items) => current && setCatalog(items),
      () => current && setCatalog([]),
    );
    return () => {
      current = false;
    };
  }, [client]);
  // A download started here is not left running when the form goes away.
  useEffect(() => () => pullHandle.current?.cancel(), []);

  const embedders = (catalog ?? []).filter((item) => item.kind === 'embedder');
  const installed = embedders.filter((item) => item.installed);
  const recommended = embedders.find((item) => !item.installed && item.sizeBytes > 0) ?? null;
  const suggestion = settings?.defaultEmbedder ?? installed[0]?.id ?? null;
  useEffect(() => {
    if (!embedderTouched && suggestion) setEmbedder(suggestion);
  }, [suggestion, embedderTouched]);

  const download = (item: CatalogItem) => {
    const handle = client.stream('models.pull', { id: item.id });
    pullHandle.current = handle;
    setPull({ item, progress: null, handle });
    handle.onEvent((progress) => setPull((current) => (current && current.handle === handle ? { ...current, progress } : current)));
    handle.result.then(
      async () => {
        setEmbedder(item.id);
        setEmbedderTouched(true);
        setCatalog(await client.call('models.catalog', {}).catch(() => catalog));
      },
      (error: unknown) => {
        if (toErrorPayload(error).code !== 'cancelled') report(error, `Downloading ${item.name}`);
      },
    ).finally(() => {
      if (pullHandle.current === handle) pullHandle.current = null;
      setPull((current) => (current?.handle === handle ? null : current));
    });
  };

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
  // While the suggested embedder downloads, the library waits for it (leaving the form cancels the download).
  const canSubmit = !busy && !pull && !!name && !nameError && folder.trim() !== '';

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
        embedder: embedder.trim() || null,
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
      <div className="field">
        <label htmlFor={`${id}-embedder`}>Embedding model</label>
        <input
          id={`${id}-embedder`}
          data-testid="new-library-embedder"
          value={embedder}
          onChange={(e) => {
            setEmbedderTouched(true);
            setEmbedder(e.target.value);
          }}
          placeholder="an installed embedder id, or a folder path"
          list={installed.length ? `${id}-embedders` : undefined}
          spellCheck={false}
          autoComplete="off"
          aria-describedby={`${id}-embedder-hint`}
        />
        {installed.length ? (
          <datalist id={`${id}-embedders`}>
            {installed.map((item) => (
              <option key={item.id} value={item.id}>
                {item.name}
              </option>
            ))}
          </datalist>
        ) : null}
        {!suggestion && recommended && !embedder.trim() ? (
          <div className="embedder-suggestion" data-testid="new-library-embedder-suggestion" data-catalog={recommended.id}>
            <p className="small">
              Recommended: <strong>{recommended.name}</strong> · {formatBytes(recommended.sizeBytes)} · licence: {recommended.licence}
            </p>
            {pull ? (
              <div className="pull-progress" data-testid="new-library-embedder-progress" aria-live="polite">
                <progress max={pull.progress?.totalBytes ?? recommended.sizeBytes} value={pull.progress ? pull.progress.downloadedBytes : undefined} aria-label={`Downloading ${recommended.name}`} />
                <span className="small">{pull.progress ? `${formatBytes(pull.progress.downloadedBytes)} of ${formatBytes(pull.progress.totalBytes ?? recommended.sizeBytes)}` : 'Starting…'}</span>
                <button type="button" className="secondary small" data-testid="new-library-embedder-cancel" onClick={() => pull.handle.cancel()}>
                  Cancel
                </button>
              </div>
            ) : (
              <button type="button" className="secondary small" data-testid="new-library-embedder-download" onClick={() => download(recommended)}>
                Download ({formatBytes(recommended.sizeBytes)})
              </button>
            )}
          </div>
        ) : null}
        <p id={`${id}-embedder-hint`} className="hint" data-testid="new-library-embedder-hint">
          {embedder.trim()
            ? suggestion && embedder.trim() === suggestion
              ? `${settings?.defaultEmbedder === suggestion ? 'Your default embedding model' : 'Installed'}: passages are found by what they mean as well as by their words.`
              : 'Passages are found by what they mean as well as by their words.'
            : 'Left empty, the library is searched by keywords only: a passage is found only if it contains the words you type.'}
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
      </details>
      <div className="actions">
        <button type="submit" className="primary" data-testid="new-library-submit" disabled={!canSubmit}>
          {busy ? 'Creating…' : pull ? 'Waiting for the download…' : 'Create and index'}
        </button>
      </div>
    </form>
  );
}
