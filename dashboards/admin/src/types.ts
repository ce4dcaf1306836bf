// Shapes of the admin API's JSON (api/api_key_schemas.py).

export type KeyStatus = 'active' | 'revoked' | 'expired';

export interface ApiKey {
  id: string;
  name: string;
  description: string | null;
  key_prefix: string;
  scopes: string[];
  status: KeyStatus;
  created_at: string;
  created_by: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
  revoked_reason: string | null;
  last_used_at: string | null;
  usage_count: number;
  grace_until: string | null;
  replaced_by_id: string | null;
  rotated_from_id: string | null;
}

export interface ApiKeyCreated extends ApiKey {
  key: string;
}

export interface ApiKeyRotated extends ApiKeyCreated {
  previous_key: ApiKey;
}

export interface ApiKeyEvent {
  id: number;
  key_id: string;
  event: 'created' | 'revoked' | 'rotated' | 'deleted' | 'first_use';
  occurred_at: string;
  actor: string | null;
  client_address: string | null;
  detail: Record<string, unknown> | null;
}

export interface ApiKeyBrief {
  id: string;
  name: string;
  key_prefix: string;
  usage_count: number;
  last_used_at: string | null;
  created_at: string;
}

export interface ApiKeyStats {
  total: number;
  active: number;
  revoked: number;
  expired: number;
  expiring_within_7_days: number;
  requests_last_24h: number;
  most_used: ApiKeyBrief[];
  recently_created: ApiKeyBrief[];
}

export interface NewKey {
  key: string;
  name: string;
  key_prefix: string;
}

export const SCOPES = [
  'metrics:read',
  'metrics:write',
  'jobs:write',
  'workflows:read',
  'workflows:write',
  'admin:read',
  'admin:write',
] as const;
