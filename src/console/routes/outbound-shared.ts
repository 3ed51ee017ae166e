import { Type } from "@sinclair/typebox";
import type { FastifyRequest } from "fastify";
import type { Channel } from "../../domain/channel.ts";
import {
  type OutboundProvision,
  type SpConnection,
  salesforceProvisionerType,
} from "../../domain/sp-connection.ts";
import { AppError, isAppError } from "../../lib/errors.ts";
import { getConnection, updateConnection } from "../../services/connections.ts";
import type { ServiceContext } from "../../services/context.ts";
import { actorOf } from "../request.ts";
import type { OutboundConnection, Problem } from "../views/outbound-common.ts";

/**
 * What the channel pages share: finding the connection and channel an address names, and saving
 * the channels back through the same connection update as `PUT /idp/spConnections/{id}`, whose
 * checks (names, activation against Salesforce's fields) are the services'.
 */

export const ChannelParams = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 128 }),
    name: Type.String({ minLength: 1, maxLength: 256 }),
  },
  { additionalProperties: false },
);

export const outboundConnectionOf = (connection: SpConnection): OutboundConnection => ({
  id: connection.id ?? "",
  name: connection.name,
  active: connection.active === true,
});

/** The connection's Salesforce provisioning, or undefined when it has no target yet. */
export const provisionOf = (connection: SpConnection): OutboundProvision | undefined =>
  connection.outboundProvision?.type === salesforceProvisionerType ? connection.outboundProvision : undefined;

export const loadProvision = async (context: ServiceContext, id: string) => {
  const connection = await getConnection(context, id);
  const provision = provisionOf(connection);
  if (!provision)
    throw new AppError("PROV_TARGET_NOT_CONFIGURED", {
      message: `Connection "${connection.name}" has no Salesforce target yet: set the Target first.`,
    });
  return { connection, provision };
};

export const loadChannel = async (context: ServiceContext, id: string, name: string) => {
  const { connection, provision } = await loadProvision(context, id);
  const index = provision.channels.findIndex((c) => c.name === name);
  const channel = provision.channels[index];
  if (!channel)
    throw new AppError("PROV_CHANNEL_NOT_FOUND", {
      message: `Connection "${connection.name}" has no channel "${name}".`,
    });
  return { connection, provision, channel, index };
};

/** Saves the connection with these channels (the rest of it as it is). */
export const saveChannels = (
  context: ServiceContext,
  request: FastifyRequest,
  connection: SpConnection,
  provision: OutboundProvision,
  channels: Channel[],
) =>
  updateConnection(context, actorOf(request), connection.id ?? "", {
    ...connection,
    outboundProvision: { ...provision, channels },
  });

/**
 * Saves `edited` in place of the loaded channel. Returns the problems when the services refuse
 * the change (nothing is stored then), none once it is saved.
 */
export const replaceChannel = async (
  context: ServiceContext,
  request: FastifyRequest,
  loaded: { connection: SpConnection; provision: OutboundProvision; index: number },
  edited: Channel,
): Promise<readonly Problem[]> => {
  try {
    const channels = loaded.provision.channels.map((c, i) => (i === loaded.index ? edited : c));
    await saveChannels(context, request, loaded.connection, loaded.provision, channels);
    return [];
  } catch (error) {
    return problemsOf(error);
  }
};

/** The problems a refused change names, for the page; anything else is thrown on. */
export const problemsOf = (error: unknown): readonly Problem[] => {
  if (!isAppError(error) || error.status >= 500) throw error;
  return error.details.length > 0 ? error.details : [{ message: error.message }];
};
