import type { Store } from "../../domain/ports.ts";
import type { Fence } from "../../domain/provisioning-nodes.ts";
import type { ProvisioningRepository } from "../../domain/provisioning-ports.ts";
import { AppError } from "../../lib/errors.ts";

/**
 * The provisioning repository a cycle records through while it holds a channel's lease: every
 * write runs in one transaction with a check that the lease still has the cycle's epoch (on
 * PostgreSQL the lease row stays share-locked until the commit, so a takeover waits for the
 * write, and every write after it fails). A node that lost its lease — paused past the expiry,
 * cut off from the database — records nothing more: no watermark moves, no row is claimed.
 * Reads pass through.
 */
export const fencedRepository = (store: Store, fence: Fence): ProvisioningRepository => {
  const inFence = <T>(write: (repo: ProvisioningRepository) => Promise<T>): Promise<T> =>
    store.transaction(async (tx) => {
      if (!(await tx.provisioningNodes.checkFence(fence))) {
        throw new AppError("PROV_LEASE_LOST", {
          message: `Another node took over the channel "${fence.channel}"; this node records nothing more of its cycle.`,
        });
      }
      return write(tx.provisioning);
    });
  return {
    ...store.provisioning,
    putChannel: (state) => inFence((repo) => repo.putChannel(state)),
    resetChannel: (connectionId, channel) => inFence((repo) => repo.resetChannel(connectionId, channel)),
    putObjects: (objects) => inFence((repo) => repo.putObjects(objects)),
    claimObjects: (objects) => inFence((repo) => repo.claimObjects(objects)),
    deleteObject: (connectionId, kind, sourceId) =>
      inFence((repo) => repo.deleteObject(connectionId, kind, sourceId)),
    appendEvents: (events) => inFence((repo) => repo.appendEvents(events)),
    putFieldSpecs: (connectionId, fetchedAt, specs) =>
      inFence((repo) => repo.putFieldSpecs(connectionId, fetchedAt, specs)),
  };
};
