/** One key per channel of a connection, for this node's maps of runs, progress and leases. */
export const channelKey = (connectionId: string, channel: string) => `${connectionId}\u0000${channel}`;
