import { describe, expect, it } from 'vitest';
import { describeDetail, listQuery } from './api';
import { checkKeyShape, formatDate, formatReading, relativeTime } from './format';

describe('checkKeyShape', () => {
  it('accepts the rsk_ shape', () => {
    expect(checkKeyShape(`rsk_${'a'.repeat(49)}`)).toBeNull();
  });
  it('explains what is wrong', () => {
    expect(checkKeyShape('')).toBe('Paste an admin API key (it starts with rsk_).');
    expect(checkKeyShape('sk_live_123')).toMatch(/not a Resync API key/);
  });
});

describe('display helpers', () => {
  it('formats dates in UTC', () => {
    expect(formatDate('2026-01-02T03:04:05Z')).toBe('2026-01-02 03:04 UTC');
    expect(formatDate(null)).toBe('—');
  });
  it('says how long ago', () => {
    const now = new Date('2026-01-02T03:00:00Z');
    expect(relativeTime('2026-01-02T02:58:00Z', now)).toBe('2 min ago');
    expect(relativeTime('2026-01-03T03:00:00Z', now)).toBe('in 1 d');
  });
});

describe('api helpers', () => {
  it('flattens validation errors', () => {
    const detail = [{ loc: ['query', 'reason'], msg: 'Field required', type: 'missing' }];
    expect(describeDetail(detail, 422)).toBe('reason: Field required');
    expect(describeDetail('API key lacks the \'admin:write\' scope', 403)).toMatch(/admin:write/);
  });
  it('builds the list query', () => {
    expect(listQuery({ name: ' fta ', scope: 'metrics:write', includeRevoked: true })).toBe(
      '?limit=200&include_revoked=true&name=fta&scope=metrics%3Awrite',
    );
  });
});

describe('formatReading', () => {
  it('shows a reading the FTA could not take as a dash, never as 0', () => {
    expect(formatReading(null, '%')).toBe('—');
    expect(formatReading(undefined, '%')).toBe('—');
    expect(formatReading(0, '%')).toBe('0%');
    expect(formatReading(41.25, '%')).toBe('41.3%');
    expect(formatReading(2, ' ms')).toBe('2 ms');
  });
});
