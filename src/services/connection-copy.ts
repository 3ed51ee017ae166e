import type { SpConnection } from "../domain/sp-connection.ts";
import { createConnection, getConnection } from "./connections.ts";
import type { Actor, ServiceContext } from "./context.ts";

/**
 * PingFederate's Copy on the connection list (pingfederate-salesforce-spec.md §3): the connection
 * under a new entity ID and name, inactive, and without its outbound provisioning (the channels
 * and the Salesforce credentials belong to the original's org). The copy is created like any
 * other document (same checks, same audit), so a copy the original's settings no longer allow is
 * refused with the same errors.
 */
export const copyConnection = async (
  context: ServiceContext,
  actor: Actor,
  sourceId: string,
  target: { readonly entityId: string; readonly name: string },
): Promise<SpConnection> => {
  const {
    id: _id,
    creationDate: _created,
    modificationDate: _modified,
    outboundProvision: _provisioning,
    ...rest
  } = await getConnection(context, sourceId);
  return createConnection(context, actor, {
    ...rest,
    entityId: target.entityId,
    name: target.name,
    active: false,
  });
};
