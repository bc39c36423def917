import { useState } from 'react';
import type { Profile } from '../../lib/types.js';
import { useApp } from '../../state/app.js';
import { useBanner } from '../../state/banner.js';
import { useClient } from '../../state/client.js';
import { ProfileEditor } from './ProfileEditor.js';

/** Profiles: named bundles of adapters, retrieval settings and instructions that the router picks from. */
export function ProfileList() {
  const client = useClient();
  const { report } = useBanner();
  // Both lists follow the engine's notices, so an adapter imported anywhere shows up in an open form.
  const { profiles, adapters, refreshProfiles: load } = useApp();
  const [editing, setEditing] = useState<Profile | 'new' | null>(null);

  const save = async (profile: Profile) => {
    try {
      await client.call('profiles.save', profile);
      setEditing(null);
      await load();
    } catch (error) {
      report(error, `Saving the profile ${profile.name}`);
    }
  };
  const remove = async (name: string) => {
    if (!window.confirm(`Delete the profile ${name}?`)) return;
    try {
      await client.call('profiles.remove', { name });
      await load();
    } catch (error) {
      report(error, `Deleting the profile ${name}`);
    }
  };

  if (editing) {
    return (
      <div className="card">
        <ProfileEditor profile={editing === 'new' ? null : editing} adapters={adapters ?? []} taken={(profiles ?? []).map((p) => p.name)} onSave={save} onCancel={() => setEditing(null)} />
      </div>
    );
  }
  return (
    <div className="card">
      <div className="card-header">
        <p className="muted small">The router picks a profile for each question; you can also pick one in the chat.</p>
        <button type="button" className="primary small" data-testid="profile-new" onClick={() => setEditing('new')}>
          New profile
        </button>
      </div>
      {profiles === null ? (
        <p className="muted">Loading…</p>
      ) : (
        <ul className="item-list" data-testid="profile-list">
          {profiles.map((p) => (
            <li key={p.name} className="item" data-testid="profile-item" data-profile={p.name}>
              <div className="item-body">
                <strong>{p.name}</strong>
                <p className="muted small">{p.description || 'No description'}</p>
                <p className="muted small">
                  {p.retrieval ? `retrieves ${p.k} passages` : 'no retrieval'}
                  {p.adapters.length ? ` · adapters: ${p.adapters.map((a) => `${a.adapter} ×${a.scale}`).join(', ')}` : ''}
                </p>
              </div>
              <div className="item-actions">
                <button type="button" className="secondary small" data-testid="profile-edit" onClick={() => setEditing(p)}>
                  Edit
                </button>
                <button type="button" className="secondary small" data-testid="profile-delete" onClick={() => remove(p.name)}>
                  Delete
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
