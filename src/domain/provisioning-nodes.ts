/**
 * Provisioning across nodes (PingFederate's provisioner modes, `pf.provisioner.mode`): the nodes
 * that heartbeat into the database, and one lease per channel. In FAILOVER one node at a time
 * holds a channel's lease and runs its cycles; every acquisition raises the lease's `epoch`,
 * the fencing token a cycle shows before each write, so a node that lost its lease (paused
 * past its expiry, say) records nothing more. Times are milliseconds of the database's clock.
 */

/** A node as its heartbeat row says. `index` 0 is a node started without PORTICO_NODE_INDEX. */
export type ProvisioningNode = {
  readonly index: number;
  /** One process of that node: a restart is a new instance. */
  readonly instance: string;
  readonly host: string;
  readonly pid: number;
  readonly startedAt: number;
  readonly lastHeartbeat: number;
  /** Set when the node stopped cleanly (and let its leases go). */
  readonly stoppedAt: number | null;
};

export type ChannelLease = {
  readonly connectionId: string;
  readonly channel: string;
  readonly holderIndex: number;
  readonly holderInstance: string;
  readonly epoch: number;
  readonly acquiredAt: number;
  readonly expiresAt: number;
};

/** What a cycle shows before it records: the channel and the epoch of the lease it runs under. */
export type Fence = {
  readonly connectionId: string;
  readonly channel: string;
  readonly epoch: number;
};

export type LeaseClaim = {
  readonly connectionId: string;
  readonly channel: string;
  readonly holderIndex: number;
  readonly holderInstance: string;
};

export type ProvisioningNodeRepository = {
  /** The database's clock, in milliseconds: the one every node compares lease times against. */
  now(): Promise<number>;
  /**
   * Takes the channel's lease when nobody holds it, when it expired (`expiresAt <= now`), or
   * when it is held under this node's own index (the node restarted): the epoch goes up by one.
   * Atomic: of nodes asking at once, one gets it. Undefined while another node holds it.
   */
  acquire(claim: LeaseClaim, now: number, ttlMs: number): Promise<ChannelLease | undefined>;
  /** Extends a lease still held under this fence; undefined once it was taken over. */
  renew(fence: Fence, now: number, ttlMs: number): Promise<ChannelLease | undefined>;
  /** Lets the lease go at once (a clean stop), if it is still held under this fence. */
  release(fence: Fence, now: number): Promise<void>;
  /**
   * Whether the lease is still held under this fence. Inside a transaction on PostgreSQL the row
   * stays share-locked until the commit, so a takeover waits for the write it fences.
   */
  checkFence(fence: Fence): Promise<boolean>;
  listLeases(): Promise<ChannelLease[]>;

  heartbeat(node: Omit<ProvisioningNode, "lastHeartbeat" | "stoppedAt">, now: number): Promise<void>;
  markStopped(index: number, instance: string, now: number): Promise<void>;
  listNodes(): Promise<ProvisioningNode[]>;
};
