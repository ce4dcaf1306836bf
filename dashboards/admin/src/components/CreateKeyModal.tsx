import { type FormEvent, useState } from 'react';
import { ApiError, api, AuthError } from '../api';
import { type NewKey, SCOPES } from '../types';
import { Modal } from './Modal';
import { NewKeyReveal } from './NewKeyReveal';

interface Props {
  apiKey: string;
  onClose: () => void;
  onCreated: () => void;
  onAuthError: (error: AuthError) => void;
}

const EXPIRY_CHOICES = [
  { label: 'Never', days: 0 },
  { label: '7 days', days: 7 },
  { label: '30 days', days: 30 },
  { label: '90 days', days: 90 },
  { label: '1 year', days: 365 },
];

export function CreateKeyModal({ apiKey, onClose, onCreated, onAuthError }: Props) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [scopes, setScopes] = useState<string[]>([]);
  const [expiresInDays, setExpiresInDays] = useState(0);
  const [errors, setErrors] = useState<{ name?: string; scopes?: string; form?: string }>({});
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<NewKey | null>(null);

  function toggle(scope: string) {
    setScopes((current) =>
      current.includes(scope) ? current.filter((item) => item !== scope) : [...current, scope],
    );
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: typeof errors = {};
    if (!name.trim()) found.name = 'Give the key a name, e.g. the FTA it is for.';
    else if (name.trim().length > 100) found.name = 'The name is longer than 100 characters.';
    if (scopes.length === 0) found.scopes = 'Pick at least one scope.';
    setErrors(found);
    if (found.name || found.scopes) return;
    setBusy(true);
    try {
      const result = await api.create(apiKey, {
        name: name.trim(),
        scopes,
        ...(description.trim() ? { description: description.trim() } : {}),
        ...(expiresInDays ? { expires_in_days: expiresInDays } : {}),
      });
      setCreated({ key: result.key, name: result.name, key_prefix: result.key_prefix });
      onCreated();
    } catch (caught) {
      if (caught instanceof AuthError) return onAuthError(caught);
      setErrors({ form: (caught as ApiError).message });
    } finally {
      setBusy(false);
    }
  }

  if (created) {
    return (
      <Modal title="Key created" onClose={onClose}>
        <NewKeyReveal created={created} onDone={onClose} />
      </Modal>
    );
  }

  return (
    <Modal title="New API key" onClose={onClose}>
      <form onSubmit={submit} noValidate className="form">
        <label htmlFor="key-name">Name</label>
        <input
          id="key-name"
          value={name}
          maxLength={100}
          onChange={(event) => setName(event.target.value)}
          aria-invalid={errors.name ? true : undefined}
          aria-describedby={errors.name ? 'key-name-error' : undefined}
          placeholder="fta-ws-prod-01"
        />
        {errors.name && (
          <p id="key-name-error" className="form-error">
            {errors.name}
          </p>
        )}
        <label htmlFor="key-description">Description (optional)</label>
        <textarea
          id="key-description"
          value={description}
          maxLength={500}
          rows={2}
          onChange={(event) => setDescription(event.target.value)}
        />
        <fieldset
          className="scope-picker"
          aria-invalid={errors.scopes ? true : undefined}
          aria-describedby={errors.scopes ? 'key-scopes-error' : undefined}
        >
          <legend>Scopes</legend>
          {SCOPES.map((scope) => (
            <label key={scope} className="checkbox">
              <input
                type="checkbox"
                checked={scopes.includes(scope)}
                onChange={() => toggle(scope)}
              />
              <span>{scope}</span>
            </label>
          ))}
        </fieldset>
        {errors.scopes && (
          <p id="key-scopes-error" className="form-error">
            {errors.scopes}
          </p>
        )}
        <label htmlFor="key-expiry">Expires</label>
        <select
          id="key-expiry"
          value={expiresInDays}
          onChange={(event) => setExpiresInDays(Number(event.target.value))}
        >
          {EXPIRY_CHOICES.map((choice) => (
            <option key={choice.days} value={choice.days}>
              {choice.label}
            </option>
          ))}
        </select>
        {errors.form && (
          <p className="form-error" role="alert">
            {errors.form}
          </p>
        )}
        <div className="actions">
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create key'}
          </button>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}
