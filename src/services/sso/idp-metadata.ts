import type { SpConnection } from "../../domain/sp-connection.ts";
import { AppError } from "../../lib/errors.ts";
import { buildIdpMetadata } from "../../saml/metadata/build-idp-metadata.ts";
import type { ServiceContext } from "../context.ts";
import { getDefaultSigningKeyId, loadSigningPrivateKey } from "../keys.ts";
import { samlId } from "./issue-response.ts";
import { issuableNameIdFormats, porticoNameIdFormats } from "./name-id.ts";

const keysOf = (connection: SpConnection): string[] => {
  const settings = connection.credentials?.signingSettings;
  if (!settings) return [];
  return [settings.signingKeyPairRef.id, ...(settings.alternativeSigningKeyPairRefs ?? []).map((r) => r.id)];
};

const certificates = async (context: ServiceContext, keyIds: readonly string[]): Promise<string[]> => {
  const pems: string[] = [];
  for (const id of new Set(keyIds)) {
    const record = await context.store.signingKeys.get(id);
    if (record) pems.push(record.certificatePem);
  }
  return pems;
};

const endpoints = (context: ServiceContext) => ({
  ssoUrl: `${context.baseUrl}/idp/SSO.saml2`,
  sloUrl: `${context.baseUrl}/idp/SLO.saml2`,
});

/**
 * `GET /pf/federation_metadata.ping`: the server's IdP metadata. It publishes a signing
 * KeyDescriptor for every certificate in use — the default key and each active connection's key
 * and rollover alternatives — so during a rollover SPs see both the old and the new certificate.
 */
export const serverIdpMetadata = async (context: ServiceContext): Promise<string> => {
  const defaultId = await getDefaultSigningKeyId(context);
  const active = (await context.store.connections.list()).filter((c) => c.active);
  const inUse = active.flatMap((c) => keysOf(c.document));
  const pems = await certificates(context, [...(defaultId === undefined ? [] : [defaultId]), ...inUse]);
  return buildIdpMetadata({
    entityId: context.entityId,
    ...endpoints(context),
    signingCertificatesPem: pems,
    // saml-metadata §2.4.3: the formats Portico issues — those of a new connection, and any
    // other an active connection's attribute contract names — so an SP that picks one is served.
    nameIdFormats: [
      ...new Set([...porticoNameIdFormats, ...active.flatMap((c) => issuableNameIdFormats(c.document))]),
    ],
  });
};

/**
 * `POST /connectionMetadata/export`: the IdP metadata one SP should load — issued under the
 * connection's virtual entity ID when it has one, with that connection's certificates only.
 */
export const connectionIdpMetadata = async (
  context: ServiceContext,
  input: {
    connectionId: string;
    virtualServerId?: string | undefined;
    /** Sign the metadata with this key pair (PingFederate's `signingSettings` on export). */
    signingKeyPairId?: string | undefined;
  },
): Promise<string> => {
  const record = await context.store.connections.get(input.connectionId);
  if (!record)
    throw new AppError("CONN_NOT_FOUND", { message: `No SP connection with id "${input.connectionId}".` });
  const virtualIds = record.document.virtualEntityIds ?? [];
  if (input.virtualServerId !== undefined && !virtualIds.includes(input.virtualServerId)) {
    throw new AppError("REQ_VALIDATION", {
      message: `virtualServerId: "${input.virtualServerId}" is not one of the connection's virtualEntityIds.`,
      details: [{ field: "virtualServerId", message: "not one of the connection's virtualEntityIds" }],
    });
  }
  const entityId = input.virtualServerId ?? record.document.defaultVirtualEntityId ?? context.entityId;
  return buildIdpMetadata({
    entityId,
    ...endpoints(context),
    signingCertificatesPem: await certificates(context, keysOf(record.document)),
    nameIdFormats: issuableNameIdFormats(record.document),
    wantAuthnRequestsSigned: record.document.spBrowserSso?.requireSignedAuthnRequests === true,
    ...(input.signingKeyPairId === undefined
      ? {}
      : { signing: await metadataSigning(context, input.signingKeyPairId) }),
  });
};

const metadataSigning = async (context: ServiceContext, keyPairId: string) => {
  const record = await context.store.signingKeys.get(keyPairId);
  if (!record)
    throw new AppError("KEY_NOT_FOUND", { message: `No signing key pair with id "${keyPairId}".` });
  return {
    privateKeyPem: await loadSigningPrivateKey(context, keyPairId),
    certificatePem: record.certificatePem,
    algorithm: record.keyAlgorithm === "EC" ? ("SHA256withECDSA" as const) : ("SHA256withRSA" as const),
    includeCertInSignature: true,
    includeRawKeyInSignature: false,
    id: samlId(),
  };
};
