import { type Static, Type } from "@sinclair/typebox";
import { closed, optional, union } from "./typebox.ts";

/**
 * An LDAP data store in PingFederate's `LdapDataStore` shape (`/dataStores`): where a channel,
 * the sign-in form's LDAP credential validator and LDAP attribute sources read a directory.
 * Field names and enums are PingFederate's; `trustedCAs` is Portico's (PingFederate trusts its
 * server-wide CA store instead). The bind password arrives as `password` and is stored and shown
 * only as `encryptedPassword`.
 */

export const ldapTypes = [
  "ACTIVE_DIRECTORY",
  "ORACLE_DIRECTORY_SERVER",
  "ORACLE_UNIFIED_DIRECTORY",
  "PING_DIRECTORY",
  "UNBOUNDID_DS",
  "GENERIC",
] as const;
export type LdapType = (typeof ldapTypes)[number];

const milliseconds = (description: string) =>
  optional(Type.Integer({ minimum: -1, maximum: 3_600_000, description }));

export const HostnamesTag = closed({
  hostnames: Type.Array(Type.String({ minLength: 1, maxLength: 300 }), { minItems: 1, maxItems: 16 }),
  tags: optional(Type.String({ maxLength: 1024 })),
  defaultSource: optional(Type.Boolean()),
});

export const LdapDataStore = closed({
  type: Type.Literal("LDAP"),
  id: optional(Type.String({ pattern: "^[a-zA-Z0-9._-]{1,64}$" })),
  name: optional(Type.String({ minLength: 1, maxLength: 256 })),
  maskAttributeValues: optional(Type.Boolean()),
  ldapType: union(ldapTypes, "the kind of directory: picks object classes, GUID, change detection and more"),
  hostnames: optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 300 }), {
      minItems: 1,
      maxItems: 16,
      description: "host or host:port, tried in order (failover); port 389, or 636 with useSsl",
    }),
  ),
  hostnamesTags: optional(
    Type.Array(HostnamesTag, {
      maxItems: 16,
      description: "kept as sent; without hostnames, the default source's hostnames are used",
    }),
  ),
  bindAnonymously: optional(Type.Boolean()),
  userDN: optional(Type.String({ minLength: 1, maxLength: 2048, description: "the bind DN" })),
  password: optional(Type.String({ maxLength: 1024, description: "write-only; stored sealed" })),
  encryptedPassword: optional(
    Type.String({
      maxLength: 4096,
      description: "the password as sealed by this server; send it back to keep it",
    }),
  ),
  useSsl: optional(Type.Boolean({ description: "LDAPS" })),
  useStartTLS: optional(Type.Boolean()),
  verifyHost: optional(Type.Boolean({ description: "check the certificate names the host (default true)" })),
  trustedCAs: optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 65536 }), {
      maxItems: 32,
      description: "Portico: PEM certificates of the CAs to trust for TLS; absent, the system's roots",
    }),
  ),
  useDnsSrvRecords: optional(Type.Boolean()),
  ldapDnsSrvPrefix: optional(Type.String({ maxLength: 256 })),
  ldapsDnsSrvPrefix: optional(Type.String({ maxLength: 256 })),
  followLDAPReferrals: optional(Type.Boolean()),
  testOnBorrow: optional(Type.Boolean()),
  testOnReturn: optional(Type.Boolean()),
  createIfNecessary: optional(
    Type.Boolean({ description: "open a temporary connection when the pool is full" }),
  ),
  minConnections: optional(Type.Integer({ minimum: 0, maximum: 1000 })),
  maxConnections: optional(Type.Integer({ minimum: 1, maximum: 1000 })),
  maxWait: milliseconds("how long to wait for a free pooled connection; -1: not at all"),
  timeBetweenEvictions: milliseconds(
    "idle connections beyond minConnections close after this long; -1: never",
  ),
  readTimeout: milliseconds("per operation; 0: Portico's default (30 s); -1: none"),
  connectionTimeout: milliseconds(
    "per connection attempt, TLS and bind included; 0: Portico's default (10 s)",
  ),
  dnsTtl: milliseconds("accepted; Portico resolves on each new connection"),
  binaryAttributes: optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 256 }), {
      maxItems: 64,
      description: "read as bytes: objectGUID as a GUID string, objectSid as S-1-…, others in base64",
    }),
  ),
  retryFailedOperations: optional(Type.Boolean({ description: "retry a read once on a new connection" })),
  clientTlsCertificateRef: optional(
    closed({ id: Type.String({ minLength: 1, maxLength: 64 }), location: optional(Type.String()) }),
  ),
});
export type LdapDataStore = Static<typeof LdapDataStore>;

/** A stored data store: the document as shown (sealed password), with its bookkeeping. */
export type DataStoreRecord = {
  readonly id: string;
  readonly name: string;
  readonly type: "LDAP";
  readonly document: LdapDataStore;
  readonly createdAt: string;
  readonly updatedAt: string;
};
