import { useId, useState, type FormEvent } from 'react';
import { modelLabel } from '../../lib/models.js';
import type { AdapterInfo, Profile } from '../../lib/types.js';

interface Props {
  /** null: a new profile. */
  profile: Profile | null;
  adapters: AdapterInfo[];
  taken: string[];
  onSave(profile: Profile): Promise<void>;
  onCancel(): void;
}

const lines = (text: string) => text.split('\n').map((l) => l.trim()).filter(Boolean);
/** Examples may span lines, so they are separated by a blank line. */
const blocks = (text: string) => text.split(/\n\s*\n/).map((b) => b.trim()).filter(Boolean);

export function ProfileEditor({ profile, adapters, taken, onSave, onCancel }: Props) {
  const id = useId();
  const [name, setName] = useState(profile?.name ?? '');
  const [description, setDescription] = useState(profile?.description ?? '');
  const [retrieval, setRetrieval] = useState(profile?.retrieval ?? true);
  const [k, setK] = useState(profile?.k ?? 8);
  const [systemPrompt, setSystemPrompt] = useState(profile?.systemPrompt ?? '');
  const [rules, setRules] = useState((profile?.rules ?? []).join('\n'));
  const [examples, setExamples] = useState((profile?.examples ?? []).join('\n\n'));
  const [chosen, setChosen] = useState<Profile['adapters']>(profile?.adapters ?? []);
  const [busy, setBusy] = useState(false);

  const nameError = !name.trim() ? 'A profile needs a name' : !profile && taken.includes(name.trim()) ? `A profile named "${name.trim()}" exists` : null;
  // Adapters the profile names that are not installed stay listed, so saving does not drop them.
  const known = new Set(adapters.map((a) => a.id));
  const rows = [...adapters.map((a) => ({ id: a.id, label: modelLabel(a) })), ...chosen.filter((c) => !known.has(c.adapter)).map((c) => ({ id: c.adapter, label: `${c.adapter} (not installed)` }))];

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (nameError) return;
    setBusy(true);
    try {
      await onSave({ name: name.trim(), description, retrieval, k, systemPrompt, rules: lines(rules), examples: blocks(examples), adapters: chosen });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="form profile-form" onSubmit={submit} data-testid="profile-form" aria-label={profile ? `Edit ${profile.name}` : 'New profile'}>
      <h2>{profile ? `Edit ${profile.name}` : 'New profile'}</h2>
      <div className="field">
        <label htmlFor={`${id}-name`}>Name</label>
        <input id={`${id}-name`} data-testid="profile-name" value={name} onChange={(e) => setName(e.target.value)} readOnly={profile !== null} aria-invalid={nameError ? true : undefined} />
        {nameError && name ? <p className="field-error">{nameError}</p> : null}
      </div>
      <div className="field">
        <label htmlFor={`${id}-description`}>Description (the router reads it to pick this profile)</label>
        <input id={`${id}-description`} data-testid="profile-description" value={description} onChange={(e) => setDescription(e.target.value)} />
      </div>
      <div className="field-row">
        <label className="checkbox">
          <input type="checkbox" data-testid="profile-retrieval" checked={retrieval} onChange={(e) => setRetrieval(e.target.checked)} />
          Look up passages in the library
        </label>
        <div className="field inline">
          <label htmlFor={`${id}-k`}>Passages</label>
          <input id={`${id}-k`} type="number" min={1} max={100} data-testid="profile-k" value={k} disabled={!retrieval} onChange={(e) => setK(Math.max(1, Math.min(100, Math.round(Number(e.target.value) || 1))))} />
        </div>
      </div>
      <div className="field">
        <label htmlFor={`${id}-system`}>System prompt</label>
        <textarea id={`${id}-system`} rows={4} data-testid="profile-system-prompt" value={systemPrompt} onChange={(e) => setSystemPrompt(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-rules`}>Rules (one per line)</label>
        <textarea id={`${id}-rules`} rows={3} data-testid="profile-rules" value={rules} onChange={(e) => setRules(e.target.value)} />
      </div>
      <div className="field">
        <label htmlFor={`${id}-examples`}>Examples (separated by a blank line)</label>
        <textarea id={`${id}-examples`} rows={4} data-testid="profile-examples" value={examples} onChange={(e) => setExamples(e.target.value)} />
      </div>
      <fieldset className="field">
        <legend>Adapters</legend>
        {rows.length === 0 ? <p className="muted small">No adapters installed.</p> : null}
        {rows.map((row) => {
          const entry = chosen.find((c) => c.adapter === row.id);
          return (
            <div key={row.id} className="field-row">
              <label className="checkbox">
                <input
                  type="checkbox"
                  data-testid="profile-adapter"
                  data-adapter={row.id}
                  checked={!!entry}
                  onChange={(e) => setChosen((list) => (e.target.checked ? [...list, { adapter: row.id, scale: 1 }] : list.filter((c) => c.adapter !== row.id)))}
                />
                {row.label}
              </label>
              <label className="inline">
                <span className="visually-hidden">Scale of {row.label}</span>
                <input
                  type="number"
                  min={0}
                  max={4}
                  step={0.05}
                  data-testid="profile-adapter-scale"
                  data-adapter={row.id}
                  value={entry?.scale ?? 1}
                  disabled={!entry}
                  onChange={(e) => setChosen((list) => list.map((c) => (c.adapter === row.id ? { ...c, scale: Number(e.target.value) } : c)))}
                />
              </label>
            </div>
          );
        })}
      </fieldset>
      <div className="actions">
        <button type="submit" className="primary" data-testid="profile-save" disabled={busy || !!nameError}>
          Save profile
        </button>
        <button type="button" className="secondary" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
