import { type Client, NoSuchObjectError, ResultCodeError, type SearchOptions } from "ldapts";
import { AppError } from "../lib/errors.ts";
import { binaryValue } from "./binary.ts";
import { ldapResultText } from "./connect.ts";

/**
 * Searching, page by page (RFC 2696 simple paged results), with every value as text: binary
 * attributes through binary.ts, the rest as UTF-8. Filters come from filter.ts, built with
 * escaped values, never pasted.
 */

export type LdapEntry = {
  readonly dn: string;
  /** Attribute name as the server spelt it → values. */
  readonly attributes: Readonly<Record<string, readonly string[]>>;
};

export type SearchRequest = {
  readonly baseDn: string;
  readonly filter?: string;
  readonly scope?: "base" | "one" | "sub";
  /** Absent: all user attributes. */
  readonly attributes?: readonly string[];
  /** Entries per page; 0 reads without paging (a server's size limit then applies). */
  readonly pageSize?: number;
  readonly sizeLimit?: number;
};

export const defaultPageSize = 500;

const toEntry = (raw: Record<string, unknown>, binary: ReadonlySet<string>): LdapEntry => {
  const attributes: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (name === "dn") continue;
    const values = Array.isArray(value) ? value : [value];
    attributes[name] = values.map((v) =>
      Buffer.isBuffer(v)
        ? binary.has(name.toLowerCase())
          ? binaryValue(name, v)
          : v.toString("utf8")
        : String(v),
    );
  }
  return { dn: String(raw.dn), attributes };
};

/** A failed search as the SEARCH stage's error, naming the base DN (a missing one most often). */
export const searchError = (error: unknown, baseDn: string): unknown => {
  if (error instanceof AppError) return error;
  if (error instanceof NoSuchObjectError)
    return new AppError("LDAP_SEARCH", {
      message: `The base DN "${baseDn}" does not exist (LDAP result 32).`,
      cause: error,
    });
  if (error instanceof ResultCodeError)
    return new AppError("LDAP_SEARCH", {
      message: `Search under "${baseDn}": ${ldapResultText(error)}`,
      cause: error,
    });
  if (error instanceof Error && /timed out/i.test(error.message))
    return new AppError("LDAP_TIMEOUT", {
      expose: true,
      message: `Search under "${baseDn}": ${error.message}`,
      cause: error,
    });
  return new AppError("LDAP_TCP", {
    expose: true,
    message: `Search under "${baseDn}": the connection failed (${error instanceof Error ? error.message : String(error)})`,
    cause: error,
  });
};

/** Whether a search failed because its base entry does not exist (LDAP result 32). */
export const isNoSuchObject = (error: unknown): boolean =>
  error instanceof AppError && error.cause instanceof NoSuchObjectError;

/** The entries, one page at a time. */
export async function* searchPages(
  client: Client,
  request: SearchRequest,
  binaryAttributes: readonly string[],
): AsyncGenerator<LdapEntry[]> {
  const binary = new Set(binaryAttributes.map((a) => a.toLowerCase()));
  const pageSize = request.pageSize ?? defaultPageSize;
  const options: SearchOptions = {
    scope: request.scope ?? "sub",
    filter: request.filter ?? "(objectClass=*)",
    ...(request.attributes ? { attributes: [...request.attributes] } : {}),
    ...(request.sizeLimit ? { sizeLimit: request.sizeLimit } : {}),
    explicitBufferAttributes: [...binaryAttributes],
  };
  try {
    if (pageSize === 0) {
      const result = await client.search(request.baseDn, options);
      yield result.searchEntries.map((e) => toEntry(e, binary));
      return;
    }
    for await (const page of client.searchPaginated(request.baseDn, { ...options, paged: { pageSize } })) {
      // ldapts holds the page it yielded until it is asked for the next one: taken out of it, its
      // raw entries are garbage while the caller works on ours, not a second copy of every page.
      yield page.searchEntries.splice(0).map((e) => toEntry(e, binary));
    }
  } catch (error) {
    throw searchError(error, request.baseDn);
  }
}

/** Every entry, all pages read. */
export const searchAll = async (
  client: Client,
  request: SearchRequest,
  binaryAttributes: readonly string[],
): Promise<LdapEntry[]> => {
  const entries: LdapEntry[] = [];
  for await (const page of searchPages(client, request, binaryAttributes)) entries.push(...page);
  return entries;
};
