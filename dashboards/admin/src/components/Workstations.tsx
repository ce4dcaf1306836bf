import { type CSSProperties, type ReactNode, useCallback, useState } from 'react';
import { ApiError, api, AuthError } from '../api';
import { formatDate, formatReading, relativeTime } from '../format';
import type { Workstation } from '../types';
import { usePolling } from './usePolling';

interface Props {
  apiKey: string;
  onAuthError: (error: AuthError) => void;
}

const REFRESH_MS = 30_000;

/** Every FTA with the latest reading and facts its collector sent. */
export function Workstations({ apiKey, onAuthError }: Props) {
  const [workstations, setWorkstations] = useState<Workstation[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      setWorkstations((await api.workstations(apiKey)).data);
      setError(null);
    } catch (caught) {
      // A key without metrics:read still runs the key grid: say so here, stay signed in.
      if (caught instanceof AuthError && caught.status === 401) onAuthError(caught);
      else if (caught instanceof AuthError) {
        setError(`${caught.message}: sign in with a key that also has metrics:read to see the FTAs.`);
      } else setError((caught as ApiError).message);
    }
  }, [apiKey, onAuthError]);

  usePolling(refresh, REFRESH_MS);

  return (
    <>
      <section className="toolbar" aria-label="FTA list">
        <p className="muted" aria-live="polite" data-testid="fta-count">
          {workstations
            ? `${workstations.length} FTA${workstations.length === 1 ? '' : 's'}`
            : error
              ? ''
              : 'Loading…'}
        </p>
        <button type="button" className="button" onClick={() => void refresh()}>
          Refresh FTAs
        </button>
      </section>
      {error && (
        <p className="banner-error" role="alert">
          {error}
        </p>
      )}
      <section className="key-grid" aria-label="FTAs">
        {workstations?.map((workstation, index) => (
          <WorkstationCard key={workstation.name} workstation={workstation} index={index} />
        ))}
        {workstations?.length === 0 && <p className="muted">No FTA has reported yet.</p>}
      </section>
    </>
  );
}

function WorkstationCard({ workstation, index }: { workstation: Workstation; index: number }) {
  const sample = workstation.last_sample;
  const host = workstation.host ?? {};
  const tws = workstation.tws ?? {};
  const link = workstation.master_link ?? {};
  const entitlement = host.cpu_entitlement;
  const backlog = (host.spool_files ?? 0) + (host.rejected_files ?? 0);
  return (
    <article
      className={`holo-card key-card fta-${workstation.status} fade-in`}
      style={{ '--i': Math.min(index, 12) } as CSSProperties}
      aria-labelledby={`fta-name-${workstation.name}`}
      data-testid="fta-card"
      data-workstation={workstation.name}
    >
      <header className="key-card-header">
        <div>
          <h3 id={`fta-name-${workstation.name}`}>{workstation.name}</h3>
          <span className="muted" title={formatDate(workstation.last_sample_at)}>
            last sample {relativeTime(workstation.last_sample_at)}
          </span>
        </div>
        <span className={`badge badge-${workstation.status}`} data-testid="fta-status">
          {workstation.status}
        </span>
      </header>
      <dl className="key-meta">
        <Reading label={entitlement ? `CPU of entitlement ${entitlement}` : 'CPU'} testId="fta-cpu">
          {formatReading(sample?.cpu_percent, '%')}
        </Reading>
        <Reading label="iowait · steal" testId="fta-iowait-steal">
          {formatReading(host.cpu_iowait_percent, '%')} · {formatReading(host.cpu_steal_percent, '%')}
        </Reading>
        <Reading label="Memory · swap" testId="fta-memory-swap">
          {formatReading(sample?.memory_percent, '%')} · {formatReading(host.swap_percent, '%')}
        </Reading>
        <Reading label="Stdlist inodes" testId="fta-stdlist-inodes">
          {formatReading(tws.stdlist_inodes_percent, '%')}
        </Reading>
        <Reading label={`Master link (${sample?.latency_method ?? '—'})`} testId="fta-latency">
          {formatReading(sample?.latency_avg_ms, ' ms')} · loss{' '}
          {formatReading(sample?.packet_loss_percent, '%')}
        </Reading>
        <Reading label="Spool · rejected" testId="fta-backlog" warn={backlog > 0}>
          {formatReading(host.spool_files, '')} · {formatReading(host.rejected_files, '')}
        </Reading>
      </dl>
      <ul className="scopes" aria-label="Master ports" data-testid="fta-ports">
        {link.netman_port !== undefined && (
          <Port name="netman" port={link.netman_port} open={sample?.tcp_connectivity} />
        )}
        {link.https_port !== undefined && (
          <Port name="https" port={link.https_port} open={link.https_connectivity} />
        )}
      </ul>
      {tws.processes && (
        <ul className="scopes" aria-label="TWS processes" data-testid="fta-processes">
          {Object.entries(tws.processes).map(([name, running]) => (
            <li key={name} className={running ? 'scope' : 'scope down'} data-running={running}>
              {name} {running ? 'up' : 'down'}
            </li>
          ))}
        </ul>
      )}
      {tws.file_systems && (
        <table className="events-table" data-testid="fta-file-systems">
          <caption className="visually-hidden">File systems TWS uses</caption>
          <thead>
            <tr>
              <th scope="col">File system</th>
              <th scope="col">Used</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(tws.file_systems).map(([mount, used]) => (
              <tr key={mount}>
                <td>{mount}</td>
                <td>{formatReading(used, '%')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="muted fta-agent">
        {[host.os_type, host.os_version].filter(Boolean).join(' ') || 'OS not reported'} · agent{' '}
        {host.agent_version ?? '—'}
      </p>
    </article>
  );
}

function Reading(props: { label: string; testId: string; warn?: boolean; children: ReactNode }) {
  return (
    <div>
      <dt>{props.label}</dt>
      <dd data-testid={props.testId} className={props.warn ? 'reading-warn' : undefined}>
        {props.children}
      </dd>
    </div>
  );
}

function Port({ name, port, open }: { name: string; port: number; open: number | undefined }) {
  const state = open === undefined ? 'not checked' : open ? 'connects' : 'does not connect';
  return (
    <li className={open === 0 ? 'scope down' : 'scope'} data-port={name}>
      {name} {port} {state}
    </li>
  );
}
