import { AppError } from "../lib/errors.ts";
import { type LdapStage, openConnection } from "./connect.ts";
import { searchAll, searchError } from "./search.ts";
import type { LdapConnectionSettings } from "./settings.ts";

/**
 * The data store test: each host in order through DNS, TCP, TLS and bind, then one search (the
 * given base DN, or the root DSE). Success names the host that answered and any host skipped on
 * the way (failover); a failure is the AppError of the stage that failed.
 */

export type ProbeResult = {
  readonly success: true;
  /** The host that answered, as configured. */
  readonly hostname: string;
  readonly stages: readonly LdapStage[];
  /** Hosts tried before it, each with why it was passed over. */
  readonly skipped: readonly { readonly hostname: string; readonly code: string; readonly message: string }[];
  /** The root DSE's naming contexts, or the base DN searched. */
  readonly namingContexts: readonly string[];
  readonly vendorName: string | null;
  readonly durationMs: number;
};

export const probe = async (
  settings: LdapConnectionSettings,
  baseDn: string | undefined,
  now: () => number = Date.now,
): Promise<ProbeResult> => {
  const started = now();
  const skipped: { hostname: string; code: string; message: string }[] = [];
  for (const [i, host] of settings.hosts.entries()) {
    let connection: Awaited<ReturnType<typeof openConnection>>;
    try {
      connection = await openConnection(settings, host);
    } catch (error) {
      const last = i === settings.hosts.length - 1;
      if (!(error instanceof AppError) || error.code === "LDAP_BIND" || last) {
        if (error instanceof AppError && skipped.length > 0)
          throw new AppError(error.code, {
            expose: true,
            message: [
              ...skipped.map((s) => `${s.code}: ${s.message}`),
              `${error.code}: ${error.message}`,
            ].join("; "),
            cause: error,
          });
        throw error;
      }
      skipped.push({ hostname: host.label, code: error.code, message: error.message });
      continue;
    }
    try {
      const stages: LdapStage[] = [
        "DNS",
        "TCP",
        ...(settings.security === "NONE" ? [] : ["TLS" as const]),
        "BIND",
      ];
      const [rootDse] =
        baseDn === undefined
          ? await searchAll(
              connection.client,
              { baseDn: "", scope: "base", attributes: ["namingContexts", "vendorName"], pageSize: 0 },
              [],
            )
          : [];
      if (baseDn !== undefined)
        await searchAll(connection.client, { baseDn, scope: "base", attributes: ["1.1"], pageSize: 0 }, []);
      return {
        success: true,
        hostname: host.label,
        stages: [...stages, "SEARCH"],
        skipped,
        namingContexts: baseDn === undefined ? [...(rootDse?.attributes.namingContexts ?? [])] : [baseDn],
        vendorName: rootDse?.attributes.vendorName?.[0] ?? null,
        durationMs: now() - started,
      };
    } catch (error) {
      throw searchError(error, baseDn ?? "");
    } finally {
      await connection.client.unbind().catch(() => undefined);
    }
  }
  throw new AppError("DATASTORE_INVALID", { message: "The data store lists no host." });
};
