/**
 * Bad input to the admin API, one row per mistake: the request itself (JSON, media type, size,
 * prototype keys) and the SP connection document. Each row names the status, the stable code and
 * the field; bad-input.test.ts sends them.
 */
import { readFileSync } from "node:fs";
import type { SpConnection } from "../../src/domain/sp-connection.ts";
import type { ErrorCode } from "../../src/lib/errors.ts";

export const valid = (): SpConnection => {
  const c = JSON.parse(
    readFileSync(new URL("../fixtures/connections/pingfederate-salesforce.json", import.meta.url), "utf8"),
  ) as SpConnection;
  c.id = "fresh";
  c.entityId = "https://fresh.my.salesforce.com";
  return c;
};

export const mutate = (change: (c: Record<string, any>) => void): SpConnection => {
  const c = valid() as unknown as Record<string, any>;
  change(c);
  return c as unknown as SpConnection;
};

export type Case = {
  name: string;
  method: "POST" | "PUT";
  path: string;
  body?: unknown;
  raw?: string;
  headers?: Record<string, string>;
  status: number;
  code: ErrorCode;
  field?: string;
};

/** Mistakes in the request itself, whatever the resource. */
export const requestCases: Case[] = [
  {
    name: "malformed JSON",
    method: "POST",
    path: "/idp/spConnections",
    raw: '{"entityId": ',
    status: 400,
    code: "REQ_MALFORMED_JSON",
  },
  {
    name: "empty JSON body",
    method: "POST",
    path: "/idp/spConnections",
    raw: "",
    status: 400,
    code: "REQ_MALFORMED_JSON",
  },
  {
    name: "wrong media type",
    method: "POST",
    path: "/idp/spConnections",
    raw: "entityId=x",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    status: 415,
    code: "REQ_UNSUPPORTED_MEDIA_TYPE",
  },
  {
    name: "text/plain body",
    method: "POST",
    path: "/idp/spConnections",
    raw: JSON.stringify(valid()),
    headers: { "content-type": "text/plain" },
    status: 415,
    code: "REQ_UNSUPPORTED_MEDIA_TYPE",
  },
  {
    name: "__proto__ key",
    method: "POST",
    path: "/idp/spConnections",
    raw: JSON.stringify(valid()).replace(/^\{/, '{"__proto__":{"isAdmin":true},'),
    status: 400,
    code: "REQ_VALIDATION",
    field: "__proto__",
  },
  {
    name: "nested __proto__ key",
    method: "PUT",
    path: "/idp/spConnections/sfprod",
    raw: JSON.stringify(mutate((c) => (c.id = "sfprod"))).replace(
      '"spBrowserSso":{',
      '"spBrowserSso":{"__proto__":{"signAssertions":false},',
    ),
    status: 400,
    code: "REQ_VALIDATION",
    field: "spBrowserSso.__proto__",
  },
  {
    name: "constructor.prototype key",
    method: "POST",
    path: "/adminAccounts",
    raw: '{"username":"eve","password":"a-long-password-1","constructor":{"prototype":{"role":"ADMIN"}}}',
    status: 400,
    code: "REQ_VALIDATION",
    field: "constructor.prototype",
  },
  {
    name: "oversize body",
    method: "POST",
    path: "/idp/spConnections",
    raw: JSON.stringify({ ...valid(), name: "x".repeat(3 * 1024 * 1024) }),
    status: 413,
    code: "REQ_TOO_LARGE",
  },
];

/** Mistakes in an SP connection document. */
export const connectionCases: Case[] = [
  {
    name: "missing entityId",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => delete c.entityId),
    status: 400,
    code: "REQ_VALIDATION",
    field: "entityId",
  },
  {
    name: "wrong type",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.active = "yes")),
    status: 400,
    code: "REQ_VALIDATION",
    field: "active",
  },
  {
    name: "unknown field",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.colour = "blue")),
    status: 400,
    code: "REQ_VALIDATION",
    field: "colour",
  },
  {
    name: "unknown nested field",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.spBrowserSso.ssoServiceEndpoints[0].weight = 3)),
    status: 400,
    code: "REQ_VALIDATION",
    field: "spBrowserSso.ssoServiceEndpoints[0].weight",
  },
  {
    name: "binding not in the list",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.spBrowserSso.ssoServiceEndpoints[0].binding = "PIGEON")),
    status: 400,
    code: "REQ_VALIDATION",
    field: "spBrowserSso.ssoServiceEndpoints[0].binding",
  },
  {
    name: "two default ACS",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.spBrowserSso.ssoServiceEndpoints[0].isDefault = true)),
    status: 422,
    code: "CONN_INVALID",
    field: "spBrowserSso.ssoServiceEndpoints",
  },
  {
    name: "no default ACS among several",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.spBrowserSso.ssoServiceEndpoints[1].isDefault = false)),
    status: 422,
    code: "CONN_INVALID",
    field: "spBrowserSso.ssoServiceEndpoints",
  },
  {
    name: "ACS index used twice",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.spBrowserSso.ssoServiceEndpoints[1].index = 0)),
    status: 422,
    code: "CONN_INVALID",
    field: "spBrowserSso.ssoServiceEndpoints[1].index",
  },
  {
    name: "ACS URL not absolute",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.spBrowserSso.ssoServiceEndpoints[0].url = "javascript:alert(1)")),
    status: 422,
    code: "CONN_INVALID",
    field: "spBrowserSso.ssoServiceEndpoints[0].url",
  },
  {
    name: "no ACS at all",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.spBrowserSso.ssoServiceEndpoints = [])),
    status: 400,
    code: "REQ_VALIDATION",
    field: "spBrowserSso.ssoServiceEndpoints",
  },
  {
    name: "default virtual entity ID not among them",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.defaultVirtualEntityId = "urn:other")),
    status: 422,
    code: "CONN_INVALID",
    field: "defaultVirtualEntityId",
  },
  {
    name: "signing key that does not exist",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.credentials.signingSettings.signingKeyPairRef.id = "no-such-key")),
    status: 422,
    code: "CONN_INVALID",
    field: "credentials.signingSettings.signingKeyPairRef.id",
  },
  {
    name: "ECDSA algorithm with an RSA key",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.credentials.signingSettings.algorithm = "SHA256withECDSA")),
    status: 422,
    code: "CONN_INVALID",
    field: "credentials.signingSettings.algorithm",
  },
  {
    name: "nothing signed",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.spBrowserSso.signResponseAsRequired = false)),
    status: 422,
    code: "CONN_INVALID",
    field: "spBrowserSso.signResponseAsRequired",
  },
  {
    name: "signed requests required without a verification certificate",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.spBrowserSso.requireSignedAuthnRequests = true)),
    status: 422,
    code: "CONN_INVALID",
    field: "credentials.certs",
  },
  {
    name: "unparseable verification certificate",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate(
      (c) =>
        (c.credentials.certs = [
          { x509File: { fileData: "bm90IGEgY2VydA==" }, primaryVerificationCert: true },
        ]),
    ),
    status: 422,
    code: "CONN_INVALID",
    field: "credentials.certs[0].x509File.fileData",
  },
  {
    name: "SAML_SUBJECT not fulfilled",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.spBrowserSso.adapterMappings[0].attributeContractFulfillment = {})),
    status: 422,
    code: "CONN_INVALID",
    field: "spBrowserSso.adapterMappings[0].attributeContractFulfillment.SAML_SUBJECT",
  },
  {
    name: "entity ID already used",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.entityId = "https://acme.my.salesforce.com")),
    status: 409,
    code: "CONN_ENTITY_ID_TAKEN",
    field: "entityId",
  },
  {
    name: "id already used",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.id = "sfprod")),
    status: 409,
    code: "CONN_ID_TAKEN",
    field: "id",
  },
  {
    name: "id with a slash",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.id = "a/b")),
    status: 400,
    code: "REQ_VALIDATION",
    field: "id",
  },
  {
    name: "secret given as value and encryptedValue",
    method: "POST",
    path: "/idp/spConnections",
    body: mutate((c) => (c.outboundProvision.targetSettings[1].encryptedValue = "v1.x.y.z")),
    status: 422,
    code: "CONN_INVALID",
    field: "outboundProvision.targetSettings[1]",
  },
  {
    name: "PUT to a connection that does not exist",
    method: "PUT",
    path: "/idp/spConnections/nope",
    body: mutate((c) => (c.id = "nope")),
    status: 404,
    code: "CONN_NOT_FOUND",
  },
  {
    name: "PUT whose body id differs",
    method: "PUT",
    path: "/idp/spConnections/sfprod",
    body: valid(),
    status: 422,
    code: "CONN_INVALID",
    field: "id",
  },
];
