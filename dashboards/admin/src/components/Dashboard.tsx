import { useCallback, useState } from 'react';
import { ApiError, api, AuthError, type ListFilter } from '../api';
import { type ApiKey, type ApiKeyStats, SCOPES } from '../types';
import { CreateKeyModal } from './CreateKeyModal';
import { EventsPanel, RevokeDialog, RotateDialog } from './KeyActions';
import { KeyCard } from './KeyCard';
import { StatCard } from './StatCard';
import { Workstations } from './Workstations';
import { usePolling } from './usePolling';

interface Props {
  apiKey: string;
  onAuthError: (error: AuthError) => void;
  onSignOut: () => void;
}

type Dialog =
  | { kind: 'create' }
  | { kind: 'revoke' | 'rotate' | 'events'; target: ApiKey }
  | null;

const REFRESH_MS = 15_000;

type View = 'keys' | 'ftas';

export function Dashboard({ apiKey, onAuthError, onSignOut }: Props) {
  const [stats, setStats] = useState<ApiKeyStats | null>(null);
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [count, setCount] = useState(0);
  const [filter, setFilter] = useState<ListFilter>({ name: '', scope: '', includeRevoked: false });
  const [error, setError] = useState<string | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [view, setView] = useState<View>('keys');

  const refresh = useCallback(async () => {
    try {
      const [nextStats, list] = await Promise.all([api.stats(apiKey), api.list(apiKey, filter)]);
      setStats(nextStats);
      setKeys(list.data);
      setCount(list.count);
      setError(null);
    } catch (caught) {
      if (caught instanceof AuthError) onAuthError(caught);
      else setError((caught as ApiError).message);
    }
  }, [apiKey, filter, onAuthError]);

  usePolling(refresh, REFRESH_MS);

  const closeDialog = () => setDialog(null);
  const changed = () => void refresh();

  return (
    <div className="app-shell">
      <header className="top-bar">
        <div>
          <p className="eyebrow">{view === 'keys' ? 'RESYNC // KEY GRID' : 'RESYNC // FTA GRID'}</p>
          <h1>{view === 'keys' ? 'API keys' : 'FTAs'}</h1>
        </div>
        <nav className="view-switch" aria-label="Views">
          <button type="button" className="button ghost" aria-pressed={view === 'keys'} onClick={() => setView('keys')}>
            Keys
          </button>
          <button type="button" className="button ghost" aria-pressed={view === 'ftas'} onClick={() => setView('ftas')}>
            FTA readings
          </button>
        </nav>
        <div className="actions">
          {view === 'keys' && (
            <>
              <button type="button" className="button" onClick={changed}>
                Refresh
              </button>
              <button type="button" className="button primary" onClick={() => setDialog({ kind: 'create' })}>
                New key
              </button>
            </>
          )}
          <button type="button" className="button ghost" onClick={onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      {view === 'ftas' ? (
        <main>
          <Workstations apiKey={apiKey} onAuthError={onAuthError} />
        </main>
      ) : (
        <main>
          {error && (
            <p className="banner-error" role="alert">
              {error}
            </p>
          )}
          <section className="stats" aria-label="Key statistics">
            <StatCard label="Total" value={stats?.total ?? 0} tone="blue" index={0} />
            <StatCard label="Active" value={stats?.active ?? 0} tone="green" index={1} />
            <StatCard label="Revoked" value={stats?.revoked ?? 0} tone="red" index={2} />
            <StatCard label="Expired" value={stats?.expired ?? 0} tone="amber" index={3} />
            <StatCard
              label="Requests 24h"
              value={stats?.requests_last_24h ?? 0}
              tone="cyan"
              index={4}
              hint={`${stats?.expiring_within_7_days ?? 0} expiring within 7 days`}
            />
          </section>
          <section className="toolbar" aria-label="Filter keys">
            <label>
              <span>Filter by name</span>
              <input
                type="search"
                value={filter.name}
                onChange={(event) => setFilter({ ...filter, name: event.target.value })}
                placeholder="filter by name"
              />
            </label>
            <label>
              <span>Filter by scope</span>
              <select
                value={filter.scope}
                onChange={(event) => setFilter({ ...filter, scope: event.target.value })}
              >
                <option value="">any scope</option>
                {SCOPES.map((scope) => (
                  <option key={scope} value={scope}>
                    {scope}
                  </option>
                ))}
              </select>
            </label>
            <label className="checkbox">
              <input
                type="checkbox"
                checked={filter.includeRevoked}
                onChange={(event) => setFilter({ ...filter, includeRevoked: event.target.checked })}
              />
              <span>Show revoked</span>
            </label>
            <p className="muted" aria-live="polite" data-testid="key-count">
              {keys ? `${count} key${count === 1 ? '' : 's'}` : 'Loading…'}
            </p>
          </section>
          <section className="key-grid" aria-label="Keys">
            {keys?.map((record, index) => (
              <KeyCard
                key={record.id}
                record={record}
                index={index}
                onRevoke={(target) => setDialog({ kind: 'revoke', target })}
                onRotate={(target) => setDialog({ kind: 'rotate', target })}
                onEvents={(target) => setDialog({ kind: 'events', target })}
              />
            ))}
            {keys?.length === 0 && <p className="muted">No keys match.</p>}
          </section>
        </main>
      )}
      {dialog?.kind === 'create' && (
        <CreateKeyModal apiKey={apiKey} onClose={closeDialog} onCreated={changed} onAuthError={onAuthError} />
      )}
      {dialog?.kind === 'revoke' && (
        <RevokeDialog apiKey={apiKey} target={dialog.target} onClose={closeDialog} onChanged={changed} onAuthError={onAuthError} />
      )}
      {dialog?.kind === 'rotate' && (
        <RotateDialog apiKey={apiKey} target={dialog.target} onClose={closeDialog} onChanged={changed} onAuthError={onAuthError} />
      )}
      {dialog?.kind === 'events' && (
        <EventsPanel apiKey={apiKey} target={dialog.target} onClose={closeDialog} onAuthError={onAuthError} />
      )}
    </div>
  );
}
