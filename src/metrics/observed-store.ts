import type { Store } from "../domain/ports.ts";
import type { Metrics } from "./metrics.ts";

/**
 * The store, counting what it records: each provisioning event the engine appends (the same
 * records as the events log, so the metrics and `/provisioning/events` never disagree) and each
 * Salesforce token the token manager saves (one per grant or refresh). Counted once written.
 */
export const observedStore = (store: Store, metrics: Metrics): Store => ({
  ...store,
  provisioning: {
    ...store.provisioning,
    appendEvents: async (events) => {
      await store.provisioning.appendEvents(events);
      metrics.provisioning(events);
    },
  },
  provisioningTokens: {
    ...store.provisioningTokens,
    put: async (record) => {
      await store.provisioningTokens.put(record);
      metrics.tokenRefreshed(record.connectionId);
    },
  },
});
