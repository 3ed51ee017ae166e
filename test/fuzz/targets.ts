/**
 * The fuzz targets and the one property they share: bad input is refused with a stable code,
 * never a crash, a hang or a 5xx. Pure targets run the pipeline an endpoint runs; endpoint
 * targets run a whole Portico (store, services, both listeners) through inject().
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import type { SpConnection } from "../../src/domain/sp-connection.ts";
import { fixedClock } from "../../src/lib/clock.ts";
import { isAppError, isErrorCode } from "../../src/lib/errors.ts";
import { parseSpMetadata } from "../../src/saml/metadata/parse-sp-metadata.ts";
import { usernamePlaceholder } from "../../src/services/credential-validators/ldap-settings.ts";
import { corpusRoot, VALID } from "../fixtures/saml/attacks/generate.ts";
import { valid as validConnection } from "../http/bad-input-cases.ts";
import { type PipelineSetup, receiveMessage } from "../support/saml-pipeline.ts";
import { startTestServer, type TestServer } from "../support/server.ts";
import { createSalesforceConnection } from "../support/sso.ts";
import { type BindingInput, bindingInput, metadataBytes, mutatedJson } from "./inputs.ts";

/** Longer than this for one input is a hang. */
const hangMs = 2_000;

type Manifest = {
  now: string;
  skewMs: number;
  limits: NonNullable<PipelineSetup["limits"]>;
  connection: {
    entityId: string;
    metadata: string;
    certificates: string[];
    supportedNameIdFormats: string[];
  };
  ssoUrls: string[];
  sloUrls: string[];
  pendingLogoutRequestId: string;
};

const validFolder = join(corpusRoot, VALID);
const manifest = JSON.parse(readFileSync(join(validFolder, "manifest.json"), "utf8")) as Manifest;
const metadataText = readFileSync(join(validFolder, manifest.connection.metadata), "utf8");
const acsEndpoints = parseSpMetadata(Buffer.from(metadataText)).assertionConsumerServices;

/** Throws unless `error` is a refusal with a registered code. */
const refusal = (error: unknown, what: string): void => {
  if (isAppError(error) && isErrorCode(error.code) && error.status < 500) return;
  const detail = isAppError(error)
    ? `${error.code} (${error.status})`
    : error instanceof Error
      ? `${error.name}: ${error.message}`
      : String(error);
  throw new Error(`${what}: not a refusal with a stable code: ${detail}`, { cause: error });
};

/** How the inputs ended: by code, "accepted", or the status an endpoint answered. */
export type Outcomes = Map<string, number>;
const count = (outcomes: Outcomes | undefined, key: string) =>
  outcomes?.set(key, (outcomes.get(key) ?? 0) + 1);

/** Runs one input; a refusal is counted by its code, anything else is a finding. */
const refusedOrAccepted = (what: string, outcomes: Outcomes | undefined, run: () => void): void => {
  const started = performance.now();
  try {
    run();
    count(outcomes, "accepted");
  } catch (error) {
    refusal(error, what);
    count(outcomes, isAppError(error) ? error.code : "?");
  }
  const took = performance.now() - started;
  if (took > hangMs) throw new Error(`${what}: took ${Math.round(took)} ms (a hang)`);
};

const setup = (requireSignature: boolean): PipelineSetup => ({
  now: new Date(manifest.now),
  skewMs: manifest.skewMs,
  limits: manifest.limits,
  connections: [
    {
      entityId: manifest.connection.entityId,
      certificatesPem: manifest.connection.certificates.map((path) =>
        readFileSync(join(validFolder, path), "utf8"),
      ),
      requireSignature,
      allowSha1: false,
      acsEndpoints,
      supportedNameIdFormats: manifest.connection.supportedNameIdFormats,
    },
  ],
  ssoUrls: manifest.ssoUrls,
  sloUrls: manifest.sloUrls,
  seen: new Set(),
  pendingLogoutRequestId: manifest.pendingLogoutRequestId,
});

/** The SSO/SLO pipeline, with signatures required or not (unsigned messages then reach validation). */
export const pipelineProperty = (outcomes?: Outcomes) =>
  fc.property(bindingInput, fc.boolean(), (input, requireSignature) =>
    refusedOrAccepted("pipeline", outcomes, () => {
      receiveMessage(input, setup(requireSignature));
    }),
  );

/** SP metadata import. */
export const metadataProperty = (outcomes?: Outcomes) => {
  const folder = join(corpusRoot, "..", "metadata");
  const seeds = readdirSync(folder)
    .filter((file) => file.endsWith(".xml"))
    .sort()
    .map((file) => readFileSync(join(folder, file), "utf8"));
  return fc.property(metadataBytes(seeds), (bytes) =>
    refusedOrAccepted("metadata", outcomes, () => {
      parseSpMetadata(bytes);
    }),
  );
};

/** A running Portico with a Salesforce connection that takes signed and unsigned requests. */
export const startFuzzServer = async (): Promise<TestServer> => {
  const server = await startTestServer({ clock: fixedClock(manifest.now) });
  await createSalesforceConnection(server, (c: SpConnection) => {
    if (!c.spBrowserSso) return;
    c.spBrowserSso.enabledProfiles = [
      "IDP_INITIATED_SSO",
      "SP_INITIATED_SSO",
      "IDP_INITIATED_SLO",
      "SP_INITIATED_SLO",
    ];
    c.spBrowserSso.requireSignedAuthnRequests = false;
  });
  return server;
};

const send = (server: TestServer, input: BindingInput) => {
  const url = input.endpoint === "sso" ? "/idp/SSO.saml2" : "/idp/SLO.saml2";
  if (input.binding === "redirect")
    return server.runtimeApp.inject({ method: "GET", url: `${url}?${input.query}` });
  const payload = Object.entries(input.fields)
    .flatMap(([name, value]) =>
      (Array.isArray(value) ? value : [value]).map(
        (v) => `${encodeURIComponent(name)}=${encodeURIComponent(v)}`,
      ),
    )
    .join("&");
  return server.runtimeApp.inject({
    method: "POST",
    url,
    headers: { "content-type": "application/x-www-form-urlencoded" },
    payload,
  });
};

/** The real SSO and SLO endpoints: any answer but a 5xx. */
export const endpointProperty = (server: TestServer, outcomes?: Outcomes) =>
  fc.asyncProperty(bindingInput, async (input) => {
    const started = performance.now();
    const response = await send(server, input);
    if (response.statusCode >= 500)
      throw new Error(`${input.endpoint} answered ${response.statusCode}: ${response.body.slice(0, 300)}`);
    if (performance.now() - started > hangMs)
      throw new Error(`${input.endpoint} took ${Math.round(performance.now() - started)} ms`);
    count(outcomes, `${input.endpoint} ${response.statusCode}`);
  });

/** Documents the admin API takes, each as a valid one to grow bad ones from. */
const adminSeeds: readonly { method: "POST" | "PUT"; path: string; document: unknown }[] = [
  { method: "POST", path: "/idp/spConnections", document: validConnection() },
  {
    method: "POST",
    path: "/dataStores",
    document: {
      type: "LDAP",
      ldapType: "GENERIC",
      name: "Fuzz",
      hostnames: ["127.0.0.1:1"],
      userDN: "cn=svc",
      password: "secret",
      useStartTLS: false,
    },
  },
  {
    method: "POST",
    path: "/passwordCredentialValidators",
    document: {
      id: "fuzz",
      name: "Fuzz",
      pluginDescriptorRef: { id: "org.sourceid.saml20.domain.LDAPUsernamePasswordCredentialValidator" },
      configuration: {
        fields: [
          { name: "LDAP Datastore", value: "none" },
          { name: "Search Base", value: "dc=x" },
          { name: "Search Filter", value: `(uid=${usernamePlaceholder})` },
        ],
      },
    },
  },
  {
    method: "POST",
    path: "/directory/users",
    document: { uid: "fuzz", mail: "fuzz@acme.example.com", cn: "Fuzz" },
  },
  {
    method: "PUT",
    path: "/serverSettings/outboundProvisioning",
    document: {
      synchronizationFrequency: 60,
      fullSynchronizationFrequency: 3600,
      deprovisionHold: { minimum: 10, percent: 10 },
    },
  },
];

/** The admin API's JSON bodies: a 2xx, or a 4xx problem with a registered code; never a 5xx. */
export const adminProperty = (server: TestServer, outcomes?: Outcomes) =>
  fc.asyncProperty(
    fc
      .constantFrom(...adminSeeds)
      .chain((seed) => mutatedJson(seed.document).map((body) => ({ ...seed, body }))),
    async ({ method, path, body }) => {
      const response = await server.request(method, path, undefined, { raw: JSON.stringify(body) ?? "null" });
      if (response.statusCode >= 500)
        throw new Error(`${method} ${path} answered ${response.statusCode}: ${response.body.slice(0, 300)}`);
      if (response.statusCode >= 400) {
        const code = (JSON.parse(response.body) as { code?: unknown }).code;
        if (!isErrorCode(code))
          throw new Error(
            `${method} ${path} answered ${response.statusCode} without a registered code: ${response.body.slice(0, 300)}`,
          );
        count(outcomes, `${method} ${path} ${code}`);
      } else count(outcomes, `${method} ${path} ${response.statusCode}`);
    },
  );
