import type { Generated } from "kysely";

/** Table shapes as the database holds them (timestamps are ISO-8601 text, booleans 0/1). */
export type Database = {
  admin_accounts: {
    username: string;
    password_hash: string;
    role: string;
    created_at: string;
    updated_at: string;
  };
  api_tokens: {
    id: string;
    name: string;
    token_hash: string;
    created_by: string;
    created_at: string;
    last_used_at: string | null;
    expires_at: string | null;
  };
  signing_keys: {
    id: string;
    key_algorithm: string;
    key_size: number;
    private_key_sealed: string;
    certificate_pem: string;
    subject_dn: string;
    serial_number: string;
    sha1_thumbprint: string;
    sha256_thumbprint: string;
    not_before: string;
    not_after: string;
    created_at: string;
  };
  sp_connections: {
    id: string;
    entity_id: string;
    name: string;
    active: number;
    document: string;
    created_at: string;
    updated_at: string;
  };
  settings: {
    key: string;
    value: string;
  };
  audit_log: {
    id: Generated<number>;
    at: string;
    actor: string;
    action: string;
    resource_type: string;
    resource_id: string | null;
    outcome: string;
    detail: string | null;
  };
  auth_throttle: {
    key: string;
    failures: number;
    window_start: string;
    locked_until: string | null;
  };
  sso_sessions: {
    id: string;
    uid: string;
    authn_instant: string;
    created_at: string;
    last_seen_at: string;
    expires_at: string;
    participants: string;
    /** The credential validator that signed the user in; null: the built-in directory. */
    source: string | null;
  };
  console_sessions: {
    id: string;
    username: string;
    csrf_token: string;
    created_at: string;
    last_seen_at: string;
    expires_at: string;
  };
  console_drafts: {
    id: string;
    session_id: string;
    /** The draft as JSON; its secrets sealed under the master key. */
    state: string;
    created_at: string;
    touched_at: string;
  };
  replay_cache: {
    key: string;
    expires_at: string;
  };
  data_stores: {
    id: string;
    name: string;
    type: string;
    /** The LdapDataStore document as JSON; the bind password in it is sealed. */
    document: string;
    created_at: string;
    updated_at: string;
  };
  password_credential_validators: {
    id: string;
    name: string;
    /** The PasswordCredentialValidator document as JSON. */
    document: string;
    created_at: string;
    updated_at: string;
  };
  provisioning_tokens: {
    connection_id: string;
    /** JSON of the tokens, sealed under the master key. */
    sealed: string;
    updated_at: string;
  };
  directory_users: {
    uid: string;
    /** uid lower-cased: uniqueness, look-ups and order. */
    uid_key: string;
    enabled: number;
    password_hash: string | null;
    /** JSON: attribute name → values. */
    attributes: string;
    created_at: string;
    updated_at: string;
  };
  directory_user_attributes: {
    uid: string;
    /** Attribute name, lower-cased. */
    name: string;
    /** SHA-256 (hex) of the lower-cased value. */
    value_hash: string;
  };
  directory_groups: {
    cn: string;
    cn_key: string;
    description: string | null;
    created_at: string;
    updated_at: string;
  };
  directory_group_members: {
    cn: string;
    uid: string;
  };
  directory_changes: {
    seq: Generated<number>;
    at: string;
    entity: string;
    entity_id: string;
    operation: string;
  };
  prov_channels: {
    connection_id: string;
    channel: string;
    watermark: string | null;
    last_full_pass_at: string | null;
    status: string;
    status_reason: string | null;
    /** JSON CycleSummary. */
    last_cycle: string | null;
    next_cycle_at: string | null;
    confirmed_at: string | null;
    updated_at: string;
  };
  prov_objects: {
    connection_id: string;
    kind: string;
    source_id: string;
    channel: string;
    target_id: string | null;
    contact_id: string | null;
    name: string;
    status: string;
    /** JSON field → value. */
    pushed: string;
    desired_hash: string | null;
    /** JSON {code, message}. */
    last_error: string | null;
    attempts: number;
    updated_at: string;
  };
  prov_events: {
    id: Generated<number>;
    at: string;
    connection_id: string;
    channel: string;
    cycle_id: string;
    type: string;
    source_id: string | null;
    target_id: string | null;
    success: number;
    cause: string | null;
    detail: string | null;
  };
  prov_field_specs: {
    connection_id: string;
    fetched_at: string;
    specs: string;
  };
  /** Times in milliseconds of the database's clock; bigint columns come back as text from pg. */
  prov_leases: {
    connection_id: string;
    channel: string;
    holder_index: number;
    holder_instance: string;
    epoch: number | string;
    acquired_at: number | string;
    expires_at: number | string;
  };
  prov_nodes: {
    node_index: number;
    instance: string;
    host: string;
    pid: number;
    started_at: number | string;
    last_heartbeat: number | string;
    stopped_at: number | string | null;
  };
};
