import { Type } from "@sinclair/typebox";
import type { ServiceContext } from "../../services/context.ts";
import { masterKeyStatus, resealSecrets } from "../../services/master-key.ts";
import { principalOf } from "./principal.ts";
import { problems } from "./schemas.ts";
import type { AdminRoutes } from "./type-provider.ts";

const counts = (description: string) =>
  Type.Record(Type.String(), Type.Integer({ minimum: 0 }), { description });
const byKeyId = counts('stored sealed values by the id of the key that sealed them ("v1": before key ids)');

const MasterKeyStatus = Type.Object(
  {
    keyId: Type.String({ description: "the current master key's id (a fingerprint, not the key)" }),
    byKeyId,
  },
  { additionalProperties: false },
);

const ResealReport = Type.Object(
  {
    keyId: Type.String(),
    byKeyId,
    resealed: counts("values sealed again under the current key, by kind"),
    unreadable: Type.Array(Type.String(), {
      description:
        "where values are that no configured key opens (PORTICO_MASTER_KEY_PREVIOUS is missing a key)",
    }),
  },
  { additionalProperties: false },
);

/** Master-key rotation: which keys sealed what is stored, and sealing it again under the current one. */
export const masterKeyRoutes =
  (context: ServiceContext): AdminRoutes =>
  async (api) => {
    const tags = ["Server settings"];
    api.get(
      "/serverSettings/masterKey",
      {
        schema: {
          tags,
          summary: "The current master key's id, and stored secrets by the key that sealed them",
          response: { 200: MasterKeyStatus, ...problems },
        },
      },
      async () => masterKeyStatus(context),
    );
    api.post(
      "/serverSettings/masterKey/reseal",
      {
        schema: {
          tags,
          summary: "Seal again under the current master key every stored secret a previous key sealed",
          response: { 200: ResealReport, ...problems },
        },
      },
      async (request) => resealSecrets(context, principalOf(request)),
    );
  };
