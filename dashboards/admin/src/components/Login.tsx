import { type FormEvent, useEffect, useRef, useState } from 'react';
import { api, AuthError } from '../api';
import { checkKeyShape } from '../format';

interface Props {
  message: string | null;
  onSignIn: (key: string) => void;
}

export function Login({ message, onSignIn }: Props) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(message);
  const [busy, setBusy] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => input.current?.focus(), []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const candidate = key.trim();
    const shapeError = checkKeyShape(candidate);
    if (shapeError) {
      setError(shapeError);
      return;
    }
    setBusy(true);
    try {
      await api.stats(candidate);
      onSignIn(candidate);
    } catch (caught) {
      setError(caught instanceof AuthError ? caught.message : (caught as Error).message);
      setBusy(false);
    }
  }

  return (
    <main className="login-screen">
      <form className="holo-card login-card fade-in" onSubmit={submit} noValidate>
        <p className="eyebrow">RESYNC // KEY GRID</p>
        <h1>API-key administration</h1>
        <p className="muted">
          Paste a key with the <code>admin:read</code> scope (<code>admin:write</code> to make
          changes). It is kept in this tab only and cleared when you sign out.
        </p>
        <label htmlFor="admin-key">Admin API key</label>
        <input
          ref={input}
          id="admin-key"
          name="admin-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={key}
          onChange={(event) => setKey(event.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'login-error' : undefined}
          placeholder="rsk_…"
        />
        {error && (
          <p id="login-error" className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
