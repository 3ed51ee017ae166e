import { Type } from "@sinclair/typebox";
import { ConfigBundle, exportConfiguration, importConfiguration } from "../../services/config-bundle.ts";
import type { ServiceContext } from "../../services/context.ts";
import { principalOf } from "./principal.ts";
import { problems } from "./schemas.ts";
import type { AdminRoutes } from "./type-provider.ts";

export const configurationRoutes =
  (context: ServiceContext): AdminRoutes =>
  async (api) => {
    const tags = ["Configuration"];
    api.get(
      "/bulk/export",
      {
        schema: {
          tags,
          summary: "The whole configuration as one document; secrets only encrypted under the master key",
        },
      },
      async () => exportConfiguration(context),
    );
    api.post(
      "/bulk/import",
      {
        schema: {
          tags,
          summary: "Import a configuration document, all or nothing",
          body: ConfigBundle,
          response: {
            200: Type.Object({
              keyPairsImported: Type.Array(Type.String()),
              keyPairsAlreadyPresent: Type.Array(Type.String()),
              keyPairsReplaced: Type.Array(Type.String()),
              spConnectionsImported: Type.Array(Type.String()),
              channelProblems: Type.Array(
                Type.Object({ spConnection: Type.String(), field: Type.String(), message: Type.String() }),
                {
                  description:
                    "Why an imported connection's active channels cannot run yet (they show STOPPED).",
                },
              ),
            }),
            ...problems,
          },
        },
      },
      async (request) => importConfiguration(context, principalOf(request), request.body),
    );
  };
