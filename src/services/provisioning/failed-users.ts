import type { ServiceContext } from "../context.ts";
import { findChannel } from "./channel-runtime.ts";

/** A user of a channel that Salesforce refused, with its words for why. */
export type FailedUser = {
  readonly sourceId: string;
  /** The Username the channel tried to give them. */
  readonly name: string;
  readonly code: string | null;
  /** Salesforce's message (a validation error names the field), or why Portico would not send it. */
  readonly message: string | null;
  readonly attempts: number;
  readonly updatedAt: string;
};

/**
 * The users a channel failed to provision, in source-id order, at most `limit`: what the admin
 * fixes (in the directory or the mapping) before a retry. `total` counts all of them.
 */
export const listFailedUsers = async (
  context: ServiceContext,
  connectionId: string,
  channel: string,
  limit: number,
): Promise<{ items: FailedUser[]; total: number }> => {
  await findChannel(context, connectionId, channel);
  const repo = context.store.provisioning;
  const rows = await repo.listObjects({ connectionId, channel, kind: "user", status: "FAILED", limit });
  const total = (await repo.countObjects(connectionId, channel)).FAILED;
  return {
    items: rows.map((row) => ({
      sourceId: row.sourceId,
      name: row.name,
      code: row.lastError?.code ?? null,
      message: row.lastError?.message ?? null,
      attempts: row.attempts,
      updatedAt: row.updatedAt,
    })),
    total,
  };
};
