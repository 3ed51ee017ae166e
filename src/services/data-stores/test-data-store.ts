import { type ProbeResult, probe } from "../../ldap/probe.ts";
import { isAppError } from "../../lib/errors.ts";
import { recordAudit } from "../audit.ts";
import type { Actor, ServiceContext } from "../context.ts";
import { getDataStoreRecord } from "./data-stores.ts";
import { ldapSettingsFor } from "./pools.ts";

/**
 * `POST /dataStores/{id}/test`: a fresh connection through every stage (DNS, TCP, TLS, bind) and
 * one search, the base DN given or the root DSE. A failure is the error of the stage that
 * failed (LDAP_DNS, LDAP_TCP, LDAP_TLS, LDAP_BIND, LDAP_SEARCH), naming the host and the reason.
 */
export const testDataStore = async (
  context: ServiceContext,
  actor: Actor,
  id: string,
  baseDn: string | undefined,
): Promise<ProbeResult & { readonly dataStoreId: string }> => {
  const record = await getDataStoreRecord(context, id);
  const audit = (outcome: "SUCCESS" | "FAILURE", detail: Record<string, unknown>) =>
    recordAudit(
      context.store.auditLog,
      context.clock,
      actor,
      "dataStore.test",
      { type: "dataStore", id },
      detail,
      outcome,
    );
  try {
    const result = await probe(ldapSettingsFor(context, record.document), baseDn);
    await audit("SUCCESS", { hostname: result.hostname, skipped: result.skipped.map((s) => s.hostname) });
    return { ...result, dataStoreId: id };
  } catch (error) {
    await audit("FAILURE", { code: isAppError(error) ? error.code : "INTERNAL" });
    throw error;
  }
};
