import type { AuthenticatedSubject, Repositories } from "../../domain/ports.ts";
import { appliedAttributeMapping, attributeMappings, type SpConnection } from "../../domain/sp-connection.ts";
import { fillFilterTemplate } from "../../ldap/filter.ts";
import { AppError, type ErrorDetail } from "../../lib/errors.ts";
import type { ServiceContext } from "../context.ts";
import { ldapPoolFor } from "../data-stores/pools.ts";

/**
 * LDAP attribute sources (an adapter mapping's `attributeSources` of type `LDAP`, in
 * PingFederate's shape): at SSO time, each source that the contract fulfillment uses
 * (`source: {type: LDAP_DATA_STORE, id}`) is looked up once for the request, its `searchFilter`
 * filled from the subject's attributes (`${uid}`, `${mail}`, …; each value escaped, RFC 4515).
 * Answers are kept a short while, in a bounded cache, so a burst of sign-ins does not become a
 * burst of searches.
 */

type Attributes = Readonly<Record<string, readonly string[]>>;

export type LdapAttributeSource = {
  readonly id: string;
  readonly dataStoreId: string;
  readonly baseDn: string;
  readonly scope: "base" | "one" | "sub";
  readonly searchFilter: string;
  readonly searchAttributes: readonly string[];
};

const scopes: Readonly<Record<string, LdapAttributeSource["scope"]>> = {
  OBJECT: "base",
  ONE_LEVEL: "one",
  SUBTREE: "sub",
};

const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** The LDAP sources of the mapping that applies at SSO, read from PingFederate's JSON. */
export const ldapAttributeSources = (connection: SpConnection): LdapAttributeSource[] => {
  const applied = appliedAttributeMapping(connection.spBrowserSso);
  const sources = applied?.mapping.attributeSources ?? [];
  const found: LdapAttributeSource[] = [];
  for (const [i, raw] of sources.entries()) {
    if (raw.type !== "LDAP") continue;
    const ref = raw.dataStoreRef as { id?: unknown } | undefined;
    const id = text(raw.id);
    const dataStoreId = text(ref?.id);
    const searchFilter = text(raw.searchFilter);
    const baseDn = text(raw.baseDn) ?? "";
    if (id === undefined || dataStoreId === undefined || searchFilter === undefined)
      throw new AppError("CONN_INVALID", {
        message: `${applied?.path}.attributeSources[${i}]: an LDAP source needs id, dataStoreRef.id and searchFilter`,
      });
    const attributes = Array.isArray(raw.searchAttributes)
      ? raw.searchAttributes.filter((a) => typeof a === "string")
      : [];
    found.push({
      id,
      dataStoreId,
      baseDn,
      scope: scopes[text(raw.searchScope) ?? "SUBTREE"] ?? "sub",
      searchFilter,
      // PingFederate lists "Subject DN" for the entry's DN; it always comes with the entry.
      searchAttributes: attributes.filter((a) => a !== "Subject DN"),
    });
  }
  return found;
};

/** Placeholder values: the subject's attributes (first value each) and its uid. */
const placeholderValues = (subject: AuthenticatedSubject): Record<string, string> => {
  const values: Record<string, string> = {};
  for (const [name, list] of Object.entries(subject.attributes)) {
    const [first] = list;
    if (first !== undefined) values[name] = first;
  }
  values.uid ??= subject.uid;
  return values;
};

type CacheEntry = { readonly expires: number; readonly attributes: Attributes };
export const attributeCacheTtlMs = 60_000;
export const attributeCacheSize = 1000;
const caches = new WeakMap<ServiceContext, Map<string, CacheEntry>>();

const cacheOf = (context: ServiceContext) => {
  let cache = caches.get(context);
  if (!cache) {
    cache = new Map();
    caches.set(context, cache);
  }
  return cache;
};

const lookUp = async (
  context: ServiceContext,
  source: LdapAttributeSource,
  subject: AuthenticatedSubject,
): Promise<Attributes> => {
  const record = await context.store.dataStores.get(source.dataStoreId);
  if (!record)
    throw new AppError("CONN_INVALID", {
      message: `The attribute source "${source.id}" names the data store "${source.dataStoreId}", which does not exist.`,
    });
  let filter: string;
  try {
    filter = fillFilterTemplate(source.searchFilter, placeholderValues(subject), "CONN_INVALID");
  } catch {
    // The user lacks a value the filter needs: the source has nothing for them.
    return {};
  }
  const key = JSON.stringify([
    record.id,
    record.updatedAt,
    source.baseDn,
    source.scope,
    filter,
    source.searchAttributes,
  ]);
  const cache = cacheOf(context);
  const now = context.clock.now().getTime();
  const hit = cache.get(key);
  if (hit && hit.expires > now) return hit.attributes;
  const pool = await ldapPoolFor(context, record);
  const [entry] = await pool.search({
    baseDn: source.baseDn,
    scope: source.scope,
    filter,
    ...(source.searchAttributes.length > 0 ? { attributes: [...source.searchAttributes] } : {}),
    pageSize: 0,
    sizeLimit: 1,
  });
  const attributes: Attributes = entry ? { ...entry.attributes, "Subject DN": [entry.dn] } : {};
  cache.delete(key);
  if (cache.size >= attributeCacheSize) {
    // Oldest first: a Map keeps insertion order.
    const oldest = cache.keys().next();
    if (!oldest.done) cache.delete(oldest.value);
  }
  cache.set(key, { expires: now + attributeCacheTtlMs, attributes });
  return attributes;
};

/**
 * The subject with the attributes of each LDAP source the applied mapping's fulfillment uses. A
 * subject that already carries them (`sso test` looks them up before it signs) is returned as is.
 */
export const withAttributeSources = async (
  context: ServiceContext,
  connection: SpConnection,
  subject: AuthenticatedSubject,
): Promise<AuthenticatedSubject> => {
  if (subject.sourced !== undefined) return subject;
  const fulfillment =
    appliedAttributeMapping(connection.spBrowserSso)?.mapping.attributeContractFulfillment ?? {};
  const used = new Set(
    Object.values(fulfillment)
      .filter((rule) => rule.source.type === "LDAP_DATA_STORE" && rule.source.id !== undefined)
      .map((rule) => rule.source.id),
  );
  const sources = ldapAttributeSources(connection).filter((s) => used.has(s.id));
  if (sources.length === 0) return subject;
  const sourced: Record<string, Attributes> = {};
  for (const source of sources) sourced[source.id] = await lookUp(context, source, subject);
  return { ...subject, sourced };
};

/**
 * Save-time check: every LDAP attribute source, in every mapping, names a data store that exists
 * (read through `repos`, so that an import sees the data stores it brought in the same transaction).
 */
export const ldapSourceReferenceErrors = async (
  repos: Pick<Repositories, "dataStores">,
  connection: SpConnection,
): Promise<ErrorDetail[]> => {
  const errors: ErrorDetail[] = [];
  for (const { mapping, path } of attributeMappings(connection.spBrowserSso)) {
    for (const [i, source] of (mapping.attributeSources ?? []).entries()) {
      if (source.type !== "LDAP") continue;
      const field = `${path}.attributeSources[${i}].dataStoreRef.id`;
      const id = text((source.dataStoreRef as { id?: unknown } | undefined)?.id);
      if (id === undefined) errors.push({ field, message: "an LDAP attribute source names its data store" });
      else if (!(await repos.dataStores.get(id)))
        errors.push({ field, message: `no data store "${id}" (create it at /dataStores first)` });
    }
  }
  return errors;
};
