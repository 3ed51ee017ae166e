import { Type } from "@sinclair/typebox";
import type { ServiceContext } from "../../services/context.ts";
import { listNodes } from "../../services/provisioning/nodes.ts";
import { provisionerModes } from "../../services/provisioning/server-settings.ts";
import { problems } from "./schemas.ts";
import type { AdminRoutes } from "./type-provider.ts";

const NodeIndex = Type.Union([Type.Integer(), Type.Null()], {
  description: "PORTICO_NODE_INDEX (null: a node without one)",
});

const NodeView = Type.Object({
  nodeIndex: NodeIndex,
  host: Type.String(),
  pid: Type.Integer(),
  startedAt: Type.String({ format: "date-time" }),
  lastHeartbeatAt: Type.String({ format: "date-time" }),
  status: Type.Union([Type.Literal("UP"), Type.Literal("DOWN"), Type.Literal("STOPPED")], {
    description: "UP: heartbeat within the grace period; DOWN: silent for longer; STOPPED: stopped cleanly",
  }),
  role: Type.Union([Type.Literal("ACTIVE"), Type.Literal("STANDBY"), Type.Literal("OFF")], {
    description:
      "ACTIVE: runs channels (STANDALONE's node always); STANDBY: takes a channel over when its holder goes silent; OFF: does not provision",
  }),
  self: Type.Boolean({ description: "the node that answered" }),
  channels: Type.Array(Type.Object({ connectionId: Type.String(), channel: Type.String() }), {
    description: "the channels whose lease it holds",
  }),
});

const LeaseView = Type.Object({
  connectionId: Type.String(),
  channel: Type.String(),
  nodeIndex: NodeIndex,
  epoch: Type.Integer({ description: "the fencing token: raised by every takeover" }),
  acquiredAt: Type.String({ format: "date-time" }),
  expiresAt: Type.String({ format: "date-time" }),
  expired: Type.Boolean(),
});

const NodesView = Type.Object({
  mode: Type.Union(provisionerModes.map((m) => Type.Literal(m))),
  failoverGracePeriod: Type.Integer(),
  nodeIndex: NodeIndex,
  items: Type.Array(NodeView),
  leases: Type.Array(LeaseView),
});

/** `GET /provisioning/nodes`: provmgr's `--show-nodes`. */
export const provisioningNodesRoutes =
  (context: ServiceContext): AdminRoutes =>
  async (api) => {
    api.get(
      "/provisioning/nodes",
      {
        schema: {
          tags: ["Provisioning"],
          summary:
            "The nodes that heartbeat into the database: index, status, role (active or standby) and channels held, and every channel's lease",
          response: { 200: NodesView, ...problems },
        },
      },
      async () => listNodes(context),
    );
  };
