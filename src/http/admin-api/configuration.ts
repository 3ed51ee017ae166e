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
              dataStoresImported: Type.Array(Type.String()),
              passwordCredentialValidatorsImported: Type.Array(Type.String()),
              htmlFormAdapterImported: Type.Union([Type.Array(Type.String()), Type.Null()], {
                description:
                  "the sign-in form's Credential Validators as imported; null when the bundle has none",
              }),
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
          summary:
            "LDAP data stores, password credential validators, the sign-in form and SP connections in PingFederate's bulk format (secrets only encrypted)",
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
            "Import a PingFederate bulk document, all or nothing: signing key pairs, LDAP data stores, LDAP password credential validators, an HTML form adapter (the sign-in form) and SP connections; anything else is reported as skipped",
          body: PfBulkDocument,
          response: {
            200: Type.Object({
              keyPairsImported: Type.Array(Type.String()),
              dataStoresImported: Type.Array(Type.String()),
              passwordCredentialValidatorsImported: Type.Array(Type.String()),
              htmlFormAdapterImported: Type.Union(
                [
                  Type.Object({ from: Type.String(), credentialValidators: Type.Array(Type.String()) }),
                  Type.Null(),
                ],
                {
                  description: "the HTML form adapter that became the sign-in form (htmlform), and its list",
                },
              ),
              spConnectionsImported: Type.Array(Type.String()),
              skippedItems: Type.Array(
                Type.Object({
                  field: Type.String(),
                  resourceType: Type.String(),
                  id: Type.Union([Type.String(), Type.Null()]),
                  reason: Type.String(),
                }),
                { description: "items of imported resource types that Portico does not run" },
              ),
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
