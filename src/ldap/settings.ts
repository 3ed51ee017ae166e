import { X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import type { LdapDataStore } from "../domain/data-store.ts";
import { AppError, type ErrorDetail } from "../lib/errors.ts";
import { directoryPresets } from "./presets.ts";

/**
 * A data store document → how to connect (pure). Validation names each field at fault; what
 * Portico does not do (DNS SRV discovery, referrals, client certificates) is refused by name
 * rather than ignored.
 */

export type LdapHost = {
  readonly host: string;
  readonly port: number;
  /** As configured, for messages: `ldap1.example.com:636`. */
  readonly label: string;
};

export type LdapSecurity = "NONE" | "LDAPS" | "STARTTLS";

export type LdapConnectionSettings = {
  readonly hosts: readonly LdapHost[];
  readonly security: LdapSecurity;
  readonly trustedCAs: readonly string[] | undefined;
  readonly verifyHost: boolean;
  /** Null: an anonymous bind. */
  readonly bind: { readonly dn: string; readonly password: string } | null;
  /** Undefined: no limit. */
  readonly connectTimeoutMs: number | undefined;
  readonly operationTimeoutMs: number | undefined;
  readonly pool: {
    readonly min: number;
    readonly max: number;
    /** -1: do not wait. */
    readonly maxWaitMs: number;
    /** Undefined: idle connections stay open. */
    readonly idleTimeoutMs: number | undefined;
    readonly createIfNecessary: boolean;
    readonly testOnBorrow: boolean;
  };
  readonly binaryAttributes: readonly string[];
  readonly retryFailedOperations: boolean;
};

export const defaultConnectTimeoutMs = 10_000;
export const defaultOperationTimeoutMs = 30_000;
export const defaultMaxWaitMs = 10_000;

/** `host`, `host:port`, `[v6]:port` or a bare IPv6 address. */
export const parseHostname = (text: string, secure: boolean): LdapHost | string => {
  const trimmed = text.trim();
  if (trimmed.includes("://")) return "give host or host:port, not a URL (useSsl chooses LDAPS)";
  const defaultPort = secure ? 636 : 389;
  let host = trimmed;
  let port = String(defaultPort);
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::(\d+))?$/.exec(trimmed);
  if (bracketed) {
    host = bracketed[1] ?? "";
    port = bracketed[2] ?? port;
  } else if (isIP(trimmed) !== 6) {
    const at = trimmed.lastIndexOf(":");
    if (at >= 0) {
      host = trimmed.slice(0, at);
      port = trimmed.slice(at + 1);
    }
  }
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)
    return "the port must be 1 to 65535";
  if (
    isIP(host) === 0 &&
    !/^(?=.{1,253}$)[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?$/.test(
      host,
    )
  )
    return "expected host or host:port";
  return { host, port: Number(port), label: trimmed };
};

/** The hostnames in use: `hostnames`, or else the default source among `hostnamesTags`. */
export const effectiveHostnames = (store: LdapDataStore): readonly string[] | undefined =>
  store.hostnames ??
  (store.hostnamesTags?.find((tag) => tag.defaultSource) ?? store.hostnamesTags?.[0])?.hostnames;

const isCertificate = (pem: string) => {
  try {
    new X509Certificate(pem);
    return true;
  } catch {
    return false;
  }
};

/** Every problem of a data store document, each naming its field; empty when it is usable. */
export const dataStoreProblems = (store: LdapDataStore, hasPassword: boolean): ErrorDetail[] => {
  const problems: ErrorDetail[] = [];
  const add = (field: string, message: string) => problems.push({ field, message });
  const secure = store.useSsl === true;
  const hostnames = effectiveHostnames(store);
  if (hostnames === undefined) add("hostnames", "give at least one host name");
  hostnames?.forEach((text, i) => {
    const parsed = parseHostname(text, secure);
    if (typeof parsed === "string") add(`hostnames[${i}]`, `"${text.slice(0, 100)}": ${parsed}`);
  });
  if (store.useSsl && store.useStartTLS) add("useStartTLS", "use LDAPS (useSsl) or StartTLS, not both");
  if (store.bindAnonymously) {
    if (store.userDN !== undefined) add("userDN", "an anonymous bind has no bind DN");
  } else {
    if (store.userDN === undefined) add("userDN", "give the bind DN, or set bindAnonymously");
    else if (!hasPassword) add("password", "give the bind DN's password");
  }
  if (store.useDnsSrvRecords)
    add("useDnsSrvRecords", "Portico does not discover servers by DNS SRV; list hostnames");
  if (store.followLDAPReferrals) add("followLDAPReferrals", "Portico does not follow referrals");
  if (store.clientTlsCertificateRef)
    add("clientTlsCertificateRef", "Portico does not bind with a client certificate");
  store.trustedCAs?.forEach((pem, i) => {
    if (!isCertificate(pem)) add(`trustedCAs[${i}]`, "not a PEM certificate");
  });
  if (store.trustedCAs !== undefined && !store.useSsl && !store.useStartTLS)
    add("trustedCAs", "trusted CAs need useSsl or useStartTLS");
  const min = store.minConnections ?? 0;
  if (store.maxConnections !== undefined && min > store.maxConnections)
    add("minConnections", "must not exceed maxConnections");
  return problems;
};

export const assertUsable = (store: LdapDataStore, hasPassword: boolean): void => {
  const problems = dataStoreProblems(store, hasPassword);
  if (problems.length === 0) return;
  throw new AppError("DATASTORE_INVALID", {
    message: problems.map((p) => `${p.field}: ${p.message}`).join("; "),
    details: problems,
  });
};

const timeout = (value: number | undefined, fallback: number) =>
  value === undefined || value === 0 ? fallback : value < 0 ? undefined : value;

/** How to connect, from a usable document and its password in clear (never logged). */
export const connectionSettings = (
  store: LdapDataStore,
  password: string | undefined,
): LdapConnectionSettings => {
  assertUsable(store, password !== undefined);
  const secure = store.useSsl === true;
  const hosts = (effectiveHostnames(store) ?? []).map((text) => parseHostname(text, secure) as LdapHost);
  const preset = directoryPresets[store.ldapType];
  return {
    hosts,
    security: secure ? "LDAPS" : store.useStartTLS ? "STARTTLS" : "NONE",
    trustedCAs: store.trustedCAs,
    verifyHost: store.verifyHost ?? true,
    bind:
      store.bindAnonymously || store.userDN === undefined
        ? null
        : { dn: store.userDN, password: password ?? "" },
    connectTimeoutMs: timeout(store.connectionTimeout, defaultConnectTimeoutMs),
    operationTimeoutMs: timeout(store.readTimeout, defaultOperationTimeoutMs),
    pool: {
      min: store.minConnections ?? 0,
      max: store.maxConnections ?? 100,
      maxWaitMs: store.maxWait === undefined || store.maxWait === 0 ? defaultMaxWaitMs : store.maxWait,
      idleTimeoutMs:
        store.timeBetweenEvictions === undefined || store.timeBetweenEvictions === 0
          ? 60_000
          : store.timeBetweenEvictions < 0
            ? undefined
            : store.timeBetweenEvictions,
      createIfNecessary: store.createIfNecessary ?? false,
      testOnBorrow: store.testOnBorrow ?? false,
    },
    binaryAttributes: [...new Set([...preset.binaryAttributes, ...(store.binaryAttributes ?? [])])],
    retryFailedOperations: store.retryFailedOperations ?? false,
  };
};
