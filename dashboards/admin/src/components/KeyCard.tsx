import { type CSSProperties, useState } from 'react';
import { formatCount, formatDate, relativeTime } from '../format';
import type { ApiKey } from '../types';

interface Props {
  record: ApiKey;
  index: number;
  onRevoke: (record: ApiKey) => void;
  onRotate: (record: ApiKey) => void;
  onEvents: (record: ApiKey) => void;
}

export function KeyCard({ record, index, onRevoke, onRotate, onEvents }: Props) {
  const [open, setOpen] = useState(false);
  const detailsId = `key-details-${record.id}`;
  const inGrace = record.status === 'active' && record.grace_until !== null;
  return (
    <article
      className={`holo-card key-card status-${record.status} fade-in`}
      style={{ '--i': Math.min(index, 12) } as CSSProperties}
      aria-labelledby={`key-name-${record.id}`}
      data-testid="key-card"
      data-key-id={record.id}
    >
      <header className="key-card-header">
        <div>
          <h3 id={`key-name-${record.id}`}>{record.name}</h3>
          <code className="prefix">{record.key_prefix}…</code>
        </div>
        <span className={`badge badge-${record.status}`} data-testid="key-status">
          <span className="pulse" aria-hidden="true" />
          {inGrace ? 'active · grace' : record.status}
        </span>
      </header>
      <dl className="key-meta">
        <div>
          <dt>Requests</dt>
          <dd data-testid="key-usage">{formatCount(record.usage_count)}</dd>
        </div>
        <div>
          <dt>Last used</dt>
          <dd title={formatDate(record.last_used_at, 'never')}>
            {relativeTime(record.last_used_at)}
          </dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{formatDate(record.created_at)}</dd>
        </div>
        <div>
          <dt>{inGrace ? 'Grace ends' : 'Expires'}</dt>
          <dd>{formatDate(inGrace ? record.grace_until : record.expires_at, 'never')}</dd>
        </div>
      </dl>
      <ul className="scopes" aria-label="Scopes">
        {record.scopes.map((scope) => (
          <li key={scope} className={scope.startsWith('admin') ? 'scope admin' : 'scope'}>
            {scope}
          </li>
        ))}
      </ul>
      <div className="actions">
        <button
          type="button"
          className="button ghost"
          aria-expanded={open}
          aria-controls={detailsId}
          onClick={() => setOpen(!open)}
        >
          {open ? 'Hide details' : 'Details'}
        </button>
        <button type="button" className="button ghost" onClick={() => onEvents(record)}>
          Events
        </button>
        {record.status === 'active' && !record.replaced_by_id && (
          <button type="button" className="button" onClick={() => onRotate(record)}>
            Rotate
          </button>
        )}
        {record.status !== 'revoked' && (
          <button type="button" className="button danger" onClick={() => onRevoke(record)}>
            Revoke
          </button>
        )}
      </div>
      {open && (
        <dl className="key-details" id={detailsId}>
          <dt>Id</dt>
          <dd>
            <code>{record.id}</code>
          </dd>
          <dt>Description</dt>
          <dd>{record.description ?? '—'}</dd>
          <dt>Created by</dt>
          <dd>{record.created_by ?? '—'}</dd>
          {record.revoked_at && (
            <>
              <dt>Revoked</dt>
              <dd>
                {formatDate(record.revoked_at)} by {record.revoked_by ?? '—'}
              </dd>
              <dt>Reason</dt>
              <dd data-testid="revoked-reason">{record.revoked_reason}</dd>
            </>
          )}
          {record.replaced_by_id && (
            <>
              <dt>Replaced by</dt>
              <dd>
                <code>{record.replaced_by_id}</code>
              </dd>
            </>
          )}
          {record.rotated_from_id && (
            <>
              <dt>Replaces</dt>
              <dd>
                <code>{record.rotated_from_id}</code>
              </dd>
            </>
          )}
        </dl>
      )}
    </article>
  );
}
