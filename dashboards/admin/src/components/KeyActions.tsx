import { type FormEvent, useEffect, useState } from 'react';
import { ApiError, api, AuthError } from '../api';
import { describeEvent, formatDate } from '../format';
import type { ApiKey, ApiKeyEvent, NewKey } from '../types';
import { Modal } from './Modal';
import { NewKeyReveal } from './NewKeyReveal';

interface ActionProps {
  apiKey: string;
  target: ApiKey;
  onClose: () => void;
  onChanged: () => void;
  onAuthError: (error: AuthError) => void;
}

export function RevokeDialog({ apiKey, target, onClose, onChanged, onAuthError }: ActionProps) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!reason.trim()) {
      setError('Say why the key is revoked; the reason is kept in its audit trail.');
      return;
    }
    setBusy(true);
    try {
      await api.revoke(apiKey, target.id, reason.trim());
      onChanged();
      onClose();
    } catch (caught) {
      if (caught instanceof AuthError) return onAuthError(caught);
      setError((caught as ApiError).message);
      setBusy(false);
    }
  }

  return (
    <Modal title={`Revoke ${target.name}`} onClose={onClose}>
      <form onSubmit={submit} noValidate className="form">
        <p className="muted">
          {target.key_prefix}… stops working on every route within 5 seconds. This cannot be
          undone.
        </p>
        <label htmlFor="revoke-reason">Reason</label>
        <textarea
          id="revoke-reason"
          value={reason}
          maxLength={500}
          rows={2}
          onChange={(event) => setReason(event.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? 'revoke-error' : undefined}
        />
        {error && (
          <p id="revoke-error" className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="submit" className="button danger" disabled={busy}>
            {busy ? 'Revoking…' : 'Revoke key'}
          </button>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}

export function RotateDialog({ apiKey, target, onClose, onChanged, onAuthError }: ActionProps) {
  const [hours, setHours] = useState(24);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<NewKey | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!(hours >= 0 && hours <= 720)) {
      setError('The grace period is between 0 and 720 hours.');
      return;
    }
    setBusy(true);
    try {
      const result = await api.rotate(apiKey, target.id, hours);
      setCreated({ key: result.key, name: result.name, key_prefix: result.key_prefix });
      onChanged();
    } catch (caught) {
      if (caught instanceof AuthError) return onAuthError(caught);
      setError((caught as ApiError).message);
    } finally {
      setBusy(false);
    }
  }

  if (created) {
    return (
      <Modal title="Key rotated" onClose={onClose}>
        <NewKeyReveal created={created} onDone={onClose} />
      </Modal>
    );
  }
  return (
    <Modal title={`Rotate ${target.name}`} onClose={onClose}>
      <form onSubmit={submit} noValidate className="form">
        <p className="muted">
          A replacement with the same name and scopes is issued; {target.key_prefix}… keeps
          working for the grace period so the FTAs can be updated.
        </p>
        <label htmlFor="grace-hours">Grace period (hours)</label>
        <input
          id="grace-hours"
          type="number"
          min={0}
          max={720}
          value={hours}
          onChange={(event) => setHours(Number(event.target.value))}
        />
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? 'Rotating…' : 'Rotate key'}
          </button>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Modal>
  );
}

type EventsProps = Omit<ActionProps, 'onChanged'>;

export function EventsPanel({ apiKey, target, onClose, onAuthError }: EventsProps) {
  const [events, setEvents] = useState<ApiKeyEvent[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    api.events(apiKey, target.id).then(
      (result) => setEvents(result.data),
      (caught) => (caught instanceof AuthError ? onAuthError(caught) : setError(caught.message)),
    );
  }, [apiKey, target.id, onAuthError]);

  return (
    <Modal title={`Audit trail of ${target.name}`} onClose={onClose} wide>
      {error && <p className="form-error">{error}</p>}
      {!events && !error && <p className="muted">Loading…</p>}
      {events && (
        <table className="events-table" data-testid="events-table">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Event</th>
              <th scope="col">By</th>
              <th scope="col">Address</th>
              <th scope="col">Detail</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event) => (
              <tr key={event.id}>
                <td>{formatDate(event.occurred_at)}</td>
                <td>{describeEvent(event.event)}</td>
                <td>{event.actor ?? '—'}</td>
                <td>{event.client_address ?? '—'}</td>
                <td className="detail">
                  {event.detail
                    ? Object.entries(event.detail)
                        .map(([name, value]) => `${name}: ${String(value)}`)
                        .join(', ')
                    : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Modal>
  );
}
