import { Type } from "@sinclair/typebox";
import { SpConnection } from "../../domain/sp-connection.ts";
import type { ServiceContext } from "../../services/context.ts";
import { convertMetadata } from "../../services/metadata-convert.ts";
import { connectionIdpMetadata } from "../../services/sso/idp-metadata.ts";
import { problems } from "./schemas.ts";
import type { AdminRoutes } from "./type-provider.ts";

const ConvertBody = Type.Object(
  {
    connectionType: Type.Literal("SP"),
    samlMetadata: Type.String({ minLength: 1, description: "the SP metadata file (SAMLSP-….xml), base64" }),
    templateId: Type.Optional(
      Type.String({
        description: "salesforce-provisioner (the default) or standard-saml-sp (any other SAML SP)",
      }),
    ),
    expectedEntityId: Type.Optional(Type.String()),
    expectedProtocol: Type.Optional(Type.Literal("SAML20")),
    jit: Type.Optional(
      Type.Object(
        {
          profile: Type.String({
            minLength: 1,
            maxLength: 255,
            description: "the Salesforce profile new users get: its name or its 00e… id",
          }),
        },
        {
          additionalProperties: false,
          description:
            "add a Salesforce Just-in-Time provisioning contract (User.* attributes from the directory) to the connection (Portico's addition)",
        },
      ),
    ),
  },
  { additionalProperties: false },
);

const ExportBody = Type.Object(
  {
    connectionId: Type.String({ minLength: 1, maxLength: 64 }),
    virtualServerId: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })),
    signingSettings: Type.Optional(
      Type.Object(
        {
          signingKeyPairRef: Type.Object(
            { id: Type.String({ minLength: 1, maxLength: 64 }) },
            { additionalProperties: false },
          ),
        },
        { additionalProperties: false, description: "sign the metadata with this key pair" },
      ),
    ),
  },
  { additionalProperties: false },
);

const ConvertResponse = Type.Object({
  connection: SpConnection,
  signatureStatus: Type.Union([Type.Literal("SIGNED"), Type.Literal("UNSIGNED")]),
  certTrustStatus: Type.Literal("NOT_TRUSTED"),
  certSubjectDn: Type.Union([Type.String(), Type.Null()]),
  certSerialNumber: Type.Union([Type.String(), Type.Null()]),
  certExpiration: Type.Union([Type.String(), Type.Null()]),
  warnings: Type.Array(Type.String(), {
    description:
      "what of the metadata the connection leaves out (Portico's addition to PingFederate's shape)",
  }),
});

export const metadataRoutes =
  (context: ServiceContext): AdminRoutes =>
  async (api) => {
    api.post(
      "/connectionMetadata/convert",
      {
        schema: {
          tags: ["Connection metadata"],
          summary: "Turn SP metadata into a connection with a template's defaults (nothing is stored)",
          body: ConvertBody,
          response: { 200: ConvertResponse, ...problems },
        },
      },
      async (request) => convertMetadata(context, request.body),
    );

    api.post(
      "/connectionMetadata/export",
      {
        schema: {
          tags: ["Connection metadata"],
          summary: "The IdP metadata for one SP connection (its issuer and its signing certificates)",
          body: ExportBody,
          produces: ["application/samlmetadata+xml"],
        },
      },
      async (request, reply) => {
        const body = request.body;
        const xml = await connectionIdpMetadata(context, {
          connectionId: body.connectionId,
          virtualServerId: body.virtualServerId,
          signingKeyPairId: body.signingSettings?.signingKeyPairRef.id,
        });
        reply.type("application/samlmetadata+xml; charset=utf-8");
        return xml;
      },
    );
  };
