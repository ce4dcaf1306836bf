// Small pure helpers for display (unit-tested with vitest).

export const KEY_PATTERN = /^rsk_[0-9A-Za-z]{49}$/;

export function checkKeyShape(text: string): string | null {
  const key = text.trim();
  if (!key) return 'Paste an admin API key (it starts with rsk_).';
  if (!KEY_PATTERN.test(key)) {
    return 'That is not a Resync API key: it starts with rsk_ and has 53 characters.';
  }
  return null;
}

export function formatDate(iso: string | null, never = '—'): string {
  if (!iso) return never;
  const date = new Date(iso);
  return date.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
}

export function formatCount(value: number): string {
  return new Intl.NumberFormat('en-US').format(value);
}

export function relativeTime(iso: string | null, now: Date = new Date()): string {
  if (!iso) return 'never';
  const seconds = Math.round((now.getTime() - new Date(iso).getTime()) / 1000);
  const future = seconds < 0;
  const size = Math.abs(seconds);
  const [amount, unit] =
    size < 60
      ? [size, 's']
      : size < 3600
        ? [Math.floor(size / 60), 'min']
        : size < 86400
          ? [Math.floor(size / 3600), 'h']
          : [Math.floor(size / 86400), 'd'];
  return future ? `in ${amount} ${unit}` : `${amount} ${unit} ago`;
}

export function describeEvent(event: string): string {
  return (
    {
      created: 'Created',
      revoked: 'Revoked',
      rotated: 'Rotated',
      deleted: 'Deleted',
      first_use: 'First use from a new address',
    }[event] ?? event
  );
}

/** A reading with its unit ('%', ' ms'), or '—' when the FTA could not take it or sent none. */
export function formatReading(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined) return '—';
  return `${new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 }).format(value)}${unit}`;
}
