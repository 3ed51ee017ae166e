import { Type } from "@sinclair/typebox";
import { ConfigBundle, exportConfiguration, importConfiguration } from "../../services/config-bundle.ts";
import type { ServiceContext } from "../../services/context.ts";
import { exportPingFederateBulk, importPingFederateBulk, PfBulkDocument } from "../../services/pf-bulk.ts";
import { principalOf } from "./principal.ts";
import { problems } from "./schemas.ts";
import type { AdminRoutes } from "./type-provider.ts";

const ChannelProblems = Type.Array(
  Type.Object({ spConnection: Type.String(), field: Type.String(), message: Type.String() }),
  { description: "Why an imported connection's active channels cannot run yet (they show STOPPED)." },
);

export const configurationRoutes =
  (context: ServiceContext): AdminRoutes =>
  async (api) => {
    const tags = ["Configuration"];
    api.get(
      "/portico/config/export",
      {
        schema: {
          tags,
          summary:
            "Portico's whole configuration as one document; secrets only encrypted under the master key",
        },
      },
      async () => exportConfiguration(context),
    );
    api.post(
      "/portico/config/import",
      {
        schema: {
          tags,
          summary: "Import Portico's configuration document, all or nothing",
          body: ConfigBundle,
          response: {
            200: Type.Object({
              keyPairsImported: Type.Array(Type.String()),
              keyPairsAlreadyPresent: Type.Array(Type.String()),
              keyPairsReplaced: Type.Array(Type.String()),
              spConnectionsImported: Type.Array(Type.String()),
              channelProblems: ChannelProblems,
            }),
            ...problems,
          },
        },
      },
      async (request) => importConfiguration(context, principalOf(request), request.body),
    );
    api.get(
      "/bulk/export",
      {
        schema: {
          tags,
          summary: "The SP connections in PingFederate's bulk format (secrets only as encryptedValue)",
        },
      },
      async () => exportPingFederateBulk(context),
    );
    api.post(
      "/bulk/import",
      {
        schema: {
          tags,
          summary:
            "Import a PingFederate bulk document: its SP connections and signing key pairs, all or nothing; other operations are reported as skipped",
          body: PfBulkDocument,
          response: {
            200: Type.Object({
              keyPairsImported: Type.Array(Type.String()),
              spConnectionsImported: Type.Array(Type.String()),
              skipped: Type.Array(
                Type.Object({
                  operation: Type.Integer(),
                  resourceType: Type.String(),
                  subResource: Type.Optional(Type.String()),
                  operationType: Type.String(),
                  items: Type.Integer(),
                }),
              ),
              channelProblems: ChannelProblems,
            }),
            ...problems,
          },
        },
      },
      async (request) => importPingFederateBulk(context, principalOf(request), request.body),
    );
  };
