// The API client: every call sends the session's key; 401/403 become AuthError.
import type {
  ApiKey,
  ApiKeyCreated,
  ApiKeyEvent,
  ApiKeyRotated,
  ApiKeyStats,
  Workstation,
} from './types';

const KEYS = '/api/v1/admin/api-keys';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The key was refused (401) or lacks the scope (403): the panel returns to the login screen. */
export class AuthError extends ApiError {}

interface ValidationItem {
  loc: (string | number)[];
  msg: string;
}

export function describeDetail(detail: unknown, status: number): string {
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    return (detail as ValidationItem[])
      .map((item) => `${item.loc.slice(1).join('.') || 'request'}: ${item.msg}`)
      .join('; ');
  }
  return `The API answered ${status}`;
}

async function call<T>(apiKey: string, method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { 'X-API-Key': apiKey, Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new ApiError(0, 'The API cannot be reached; check that it is running and retry.');
  }
  if (response.status === 204) return undefined as T;
  const payload: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = (payload as { detail?: unknown } | null)?.detail;
    const message = describeDetail(detail, response.status);
    if (response.status === 401 || response.status === 403) {
      throw new AuthError(response.status, message);
    }
    throw new ApiError(response.status, message);
  }
  return payload as T;
}

export interface ListFilter {
  name: string;
  scope: string;
  includeRevoked: boolean;
}

export function listQuery(filter: ListFilter, limit = 200): string {
  const query = new URLSearchParams({ limit: String(limit) });
  if (filter.includeRevoked) query.set('include_revoked', 'true');
  if (filter.name.trim()) query.set('name', filter.name.trim());
  if (filter.scope) query.set('scope', filter.scope);
  return `?${query.toString()}`;
}

export const api = {
  stats: (key: string) => call<ApiKeyStats>(key, 'GET', `${KEYS}/stats/summary`),
  list: (key: string, filter: ListFilter) =>
    call<{ data: ApiKey[]; count: number }>(key, 'GET', `${KEYS}${listQuery(filter)}`),
  create: (
    key: string,
    body: { name: string; description?: string; scopes: string[]; expires_in_days?: number },
  ) => call<ApiKeyCreated>(key, 'POST', KEYS, body),
  revoke: (key: string, id: string, reason: string) =>
    call<ApiKey>(key, 'DELETE', `${KEYS}/${id}?${new URLSearchParams({ reason }).toString()}`),
  rotate: (key: string, id: string, gracePeriodHours: number) =>
    call<ApiKeyRotated>(key, 'POST', `${KEYS}/${id}/rotate`, {
      grace_period_hours: gracePeriodHours,
    }),
  events: (key: string, id: string) =>
    call<{ data: ApiKeyEvent[]; count: number }>(key, 'GET', `${KEYS}/${id}/events`),
  workstations: (key: string) =>
    call<{ data: Workstation[]; count: number }>(key, 'GET', '/api/v1/workstations'),
};
