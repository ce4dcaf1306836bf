// Shapes of the API's JSON the panel reads: the key admin API, then the estate.

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

// GET /api/v1/workstations (resync/ingest/schemas.py): each FTA with its latest sample and the
// host, TWS and master-link facts it last sent; every reading may be null or left out.
export type WorkstationStatus = 'ok' | 'warning' | 'critical' | 'silent';

export interface LatestSample {
  timestamp: string;
  cpu_percent: number | null;
  memory_percent: number | null;
  disk_percent: number | null;
  latency_avg_ms: number | null;
  packet_loss_percent: number;
  tcp_connectivity: number;
  latency_method: string | null;
  stdlist_mb: number | null;
}

export interface HostFacts {
  os_type?: string | null;
  os_version?: string | null;
  agent_version?: string | null;
  cpu_entitlement?: number | null;
  cpu_iowait_percent?: number | null;
  cpu_steal_percent?: number | null;
  swap_percent?: number | null;
  spool_files?: number | null;
  rejected_files?: number | null;
}

export interface TwsFacts {
  file_systems?: Record<string, number> | null;
  stdlist_inodes_percent?: number | null;
  processes?: Record<string, number> | null;
}

export interface MasterLink {
  netman_port?: number;
  https_port?: number;
  https_connectivity?: number;
}

export interface Workstation {
  name: string;
  status: WorkstationStatus;
  last_sample_at: string;
  last_sample: LatestSample | null;
  host: HostFacts | null;
  tws: TwsFacts | null;
  master_link: MasterLink | null;
  open_alerts: { rule: string; severity: string; message: string }[];
}
