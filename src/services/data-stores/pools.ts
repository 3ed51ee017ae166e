import type { LdapDataStore } from "../../domain/data-store.ts";
import { LdapPool } from "../../ldap/pool.ts";
import { connectionSettings } from "../../ldap/settings.ts";
import type { ServiceContext } from "../context.ts";
import { revealBindPassword } from "./secrets.ts";

/**
 * One connection pool per data store and server context, opened on first use and replaced when
 * the data store changes: what sign-in, attribute sources and channels borrow connections from.
 */

type Entry = { readonly version: string; readonly pool: LdapPool };

const pools = new WeakMap<ServiceContext, Map<string, Entry>>();

const poolsOf = (context: ServiceContext) => {
  let map = pools.get(context);
  if (!map) {
    map = new Map();
    pools.set(context, map);
  }
  return map;
};

export const ldapSettingsFor = (context: ServiceContext, document: LdapDataStore) =>
  connectionSettings(document, revealBindPassword(context, document));

/** The pool of a data store; a changed document (another node may have changed it) gets a new one. */
export const ldapPoolFor = async (
  context: ServiceContext,
  record: { readonly id: string; readonly document: LdapDataStore },
): Promise<LdapPool> => {
  const map = poolsOf(context);
  const entry = map.get(record.id);
  const version = JSON.stringify(record.document);
  if (entry?.version === version) return entry.pool;
  if (entry) await entry.pool.close();
  const pool = new LdapPool(ldapSettingsFor(context, record.document), () => context.clock.now().getTime());
  map.set(record.id, { version, pool });
  return pool;
};

export const forgetLdapPool = async (context: ServiceContext, id: string): Promise<void> => {
  const map = poolsOf(context);
  const entry = map.get(id);
  map.delete(id);
  await entry?.pool.close();
};

/** At shutdown: every pool closed, so no LDAP connection outlives the server. */
export const closeLdapPools = async (context: ServiceContext): Promise<void> => {
  const map = poolsOf(context);
  const entries = [...map.values()];
  map.clear();
  await Promise.all(entries.map((e) => e.pool.close()));
};
