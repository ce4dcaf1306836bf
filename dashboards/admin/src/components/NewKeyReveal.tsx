import { useState } from 'react';
import type { NewKey } from '../types';

interface Props {
  created: NewKey;
  onDone: () => void;
}

/** The plaintext key, shown this once, with copy to clipboard. */
export function NewKeyReveal({ created, onDone }: Props) {
  const [copyState, setCopyState] = useState<'idle' | 'copied' | 'failed'>('idle');

  async function copy() {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopyState('copied');
    } catch {
      setCopyState('failed');
    }
  }

  return (
    <div className="new-key">
      <p className="warning" role="alert">
        Copy this key now: it is shown only once and cannot be recovered. Store it in the
        FTA's configuration or your secret manager.
      </p>
      <p className="muted">
        Key <strong>{created.name}</strong> ({created.key_prefix}…)
      </p>
      <code className="secret" data-testid="new-key" tabIndex={0}>
        {created.key}
      </code>
      <div className="actions">
        <button type="button" className="button primary" onClick={copy}>
          Copy to clipboard
        </button>
        <button type="button" className="button" onClick={onDone}>
          I have stored it
        </button>
      </div>
      <p className="status-line" aria-live="polite" data-testid="copy-status">
        {copyState === 'copied' && 'Copied to the clipboard.'}
        {copyState === 'failed' && 'Copy failed: select the key and press Ctrl+C.'}
      </p>
    </div>
  );
}
