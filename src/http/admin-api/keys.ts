import { Type } from "@sinclair/typebox";
import { AppError } from "../../lib/errors.ts";
import type { ServiceContext } from "../../services/context.ts";
import { importSigningKeyFile, subjectDnOf } from "../../services/key-files.ts";
import {
  deleteSigningKey,
  generateSigningKey,
  getSigningCertificatePem,
  getSigningKey,
  listSigningKeys,
  setDefaultSigningKey,
} from "../../services/keys.ts";
import { principalOf } from "./principal.ts";
import { IdParams, Items, problems } from "./schemas.ts";
import type { AdminRoutes } from "./type-provider.ts";

const KeyPairView = Type.Object({
  id: Type.String(),
  keyAlgorithm: Type.Union([Type.Literal("RSA"), Type.Literal("EC")]),
  keySize: Type.Integer(),
  subjectDN: Type.String(),
  issuerDN: Type.String(),
  serialNumber: Type.String(),
  sha1Fingerprint: Type.String(),
  sha256Fingerprint: Type.String(),
  validFrom: Type.String({ format: "date-time" }),
  expires: Type.String({ format: "date-time" }),
  status: Type.String(),
  expiryWarning: Type.Union([Type.String(), Type.Null()]),
  isDefault: Type.Boolean(),
  usedBy: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), entityId: Type.String() })),
});

const dnPart = Type.Optional(Type.String({ minLength: 1, maxLength: 64 }));
const GenerateBody = Type.Object(
  {
    id: Type.Optional(Type.String({ pattern: "^[a-zA-Z0-9._-]{1,64}$" })),
    commonName: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    organization: dnPart,
    organizationUnit: dnPart,
    city: dnPart,
    state: dnPart,
    country: Type.Optional(Type.String({ pattern: "^[A-Z]{2}$" })),
    validDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 36500 })),
    keyAlgorithm: Type.Optional(Type.Union([Type.Literal("RSA"), Type.Literal("EC")])),
    keySize: Type.Optional(Type.Union([Type.Literal(2048), Type.Literal(3072), Type.Literal(256)])),
    makeDefault: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const ImportBody = Type.Object(
  {
    id: Type.Optional(Type.String({ pattern: "^[a-zA-Z0-9._-]{1,64}$" })),
    format: Type.Union([Type.Literal("PKCS12"), Type.Literal("PEM")]),
    fileData: Type.String({
      minLength: 1,
      maxLength: 1_000_000,
      description:
        "PKCS12: the file in base64. PEM: the private key and the certificate (chain) PEM blocks, concatenated.",
    }),
    password: Type.Optional(Type.String({ maxLength: 1024 })),
    makeDefault: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

export const keyRoutes =
  (context: ServiceContext): AdminRoutes =>
  async (api) => {
    const tags = ["Key pairs"];
    api.get(
      "/keyPairs/signing",
      {
        schema: {
          tags,
          summary: "List signing key pairs",
          response: { 200: Items(KeyPairView), ...problems },
        },
      },
      async () => ({ items: await listSigningKeys(context) }),
    );

    api.post(
      "/keyPairs/signing/generate",
      {
        schema: {
          tags,
          summary: "Generate a signing key pair with a self-signed certificate (RSA 2048/3072, EC P-256)",
          body: GenerateBody,
          response: { 201: KeyPairView, ...problems },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const algorithm = body.keyAlgorithm ?? "RSA";
        if ((algorithm === "EC") !== (body.keySize === 256) && body.keySize !== undefined) {
          throw new AppError("KEY_UNSUPPORTED", {
            message: "keySize: RSA keys are 2048 or 3072 bits; EC keys are P-256 (keySize 256).",
            details: [{ field: "keySize", message: "does not fit keyAlgorithm" }],
          });
        }
        const actor = principalOf(request);
        const view = await generateSigningKey(context, actor, {
          id: body.id,
          subjectDN: subjectDnOf(body),
          keyAlgorithm: algorithm,
          keySize: body.keySize,
          validDays: body.validDays,
        });
        if (body.makeDefault) await setDefaultSigningKey(context, actor, view.id);
        reply.status(201);
        return body.makeDefault ? getSigningKey(context, view.id) : view;
      },
    );

    api.post(
      "/keyPairs/signing/import",
      {
        schema: {
          tags,
          summary: "Import a signing key pair from PKCS#12 or PEM",
          body: ImportBody,
          response: { 201: KeyPairView, ...problems },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const actor = principalOf(request);
        const view = await importSigningKeyFile(context, actor, body);
        if (body.makeDefault) await setDefaultSigningKey(context, actor, view.id);
        reply.status(201);
        return body.makeDefault ? getSigningKey(context, view.id) : view;
      },
    );

    api.get(
      "/keyPairs/signing/:id",
      {
        schema: {
          tags,
          summary: "One signing key pair",
          params: IdParams,
          response: { 200: KeyPairView, ...problems },
        },
      },
      async (request) => getSigningKey(context, request.params.id),
    );

    api.get(
      "/keyPairs/signing/:id/certificate",
      {
        schema: {
          tags,
          summary: "The certificate in PEM: Salesforce's Identity Provider Certificate",
          params: IdParams,
          produces: ["application/x-pem-file"],
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const pem = await getSigningCertificatePem(context, id);
        reply
          .type("application/x-pem-file")
          .header("Content-Disposition", `attachment; filename="${id.replace(/[^a-zA-Z0-9._-]/g, "_")}.crt"`);
        return pem;
      },
    );

    api.put(
      "/keyPairs/signing/:id/default",
      {
        schema: {
          tags,
          summary: "Make this key pair the server's default",
          params: IdParams,
          response: { 200: KeyPairView, ...problems },
        },
      },
      async (request) => {
        const { id } = request.params;
        await setDefaultSigningKey(context, principalOf(request), id);
        return getSigningKey(context, id);
      },
    );

    api.delete(
      "/keyPairs/signing/:id",
      { schema: { tags, summary: "Delete an unused signing key pair", params: IdParams } },
      async (request, reply) => {
        await deleteSigningKey(context, principalOf(request), request.params.id);
        reply.status(204).send();
      },
    );
  };
