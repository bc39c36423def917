import { useId, useState, type FormEvent, type ReactNode } from 'react';

interface Props {
  label: string;
  placeholder: string;
  /** data-testid prefix: `${testId}-path`, `${testId}-submit`. */
  testId: string;
  onImport(path: string): Promise<boolean>;
  children?: ReactNode;
}

/** Import by typing a path: the way that works in every shell (a browser cannot hand over paths). */
export function PathImportForm({ label, placeholder, testId, onImport, children }: Props) {
  const [path, setPath] = useState('');
  const [busy, setBusy] = useState(false);
  const id = useId();
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!path.trim() || busy) return;
    setBusy(true);
    try {
      if (await onImport(path.trim())) setPath('');
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="form inline-form" onSubmit={submit} aria-label={label}>
      <div className="field grow">
        <label htmlFor={`${id}-path`}>{label}</label>
        <input id={`${id}-path`} data-testid={`${testId}-path`} value={path} onChange={(e) => setPath(e.target.value)} placeholder={placeholder} spellCheck={false} />
      </div>
      {children}
      <button type="submit" className="secondary" data-testid={`${testId}-submit`} disabled={busy || !path.trim()}>
        {busy ? 'Checking…' : 'Import'}
      </button>
    </form>
  );
}
