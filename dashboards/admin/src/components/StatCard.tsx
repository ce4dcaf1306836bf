import type { CSSProperties } from 'react';
import { formatCount } from '../format';
import { useAnimatedNumber } from './useAnimatedNumber';

interface Props {
  label: string;
  value: number;
  tone: 'cyan' | 'green' | 'red' | 'amber' | 'blue';
  index: number;
  hint?: string;
}

export function StatCard({ label, value, tone, index, hint }: Props) {
  const shown = useAnimatedNumber(value);
  const slug = label.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  return (
    <section
      className={`holo-card stat-card tone-${tone} fade-in`}
      style={{ '--i': index } as CSSProperties}
      aria-labelledby={`stat-${slug}`}
      data-testid={`stat-${slug}`}
    >
      <h2 id={`stat-${slug}`} className="stat-label">
        {label}
      </h2>
      {/* The final number for assistive technology; the animated one is decoration. */}
      <p className="stat-value" aria-hidden="true">
        {formatCount(shown)}
      </p>
      <p className="visually-hidden" data-testid={`stat-${slug}-value`}>
        {value}
      </p>
      {hint && <p className="stat-hint">{hint}</p>}
    </section>
  );
}
