import type { Repositories, Store } from "../domain/ports.ts";
import type { Metrics } from "./metrics.ts";

/**
 * The store, counting what it records: each provisioning event the engine appends (the same
 * records as the events log, so the metrics and `/provisioning/events` never disagree) and each
 * Salesforce token the token manager saves (one per grant or refresh). Counted once written: in a
 * transaction (a fenced provisioning write, say), once it commits.
 */
const observed = <R extends Pick<Repositories, "provisioning" | "provisioningTokens">>(
  repos: R,
  metrics: Metrics,
  written: (count: () => void) => void,
): R => ({
  ...repos,
  provisioning: {
    ...repos.provisioning,
    appendEvents: async (events) => {
      await repos.provisioning.appendEvents(events);
      written(() => metrics.provisioning(events));
    },
  },
  provisioningTokens: {
    ...repos.provisioningTokens,
    put: async (record) => {
      await repos.provisioningTokens.put(record);
      written(() => metrics.tokenRefreshed(record.connectionId));
    },
  },
});

export const observedStore = (store: Store, metrics: Metrics): Store => ({
  ...observed(store, metrics, (count) => count()),
  transaction: async (work) => {
    const counts: (() => void)[] = [];
    const result = await store.transaction((repos) => work(observed(repos, metrics, (c) => counts.push(c))));
    for (const count of counts) count();
    return result;
  },
});
