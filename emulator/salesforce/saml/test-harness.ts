// Test support only: an in-process fastify app with the SAML SP, a fake org, and samlify 2.13.1
// playing the identity provider. samlify is an independent library (not Portico's code), so what
// it signs is a fair stand-in for a real IdP's output.
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import formbody from "@fastify/formbody";
import * as x509 from "@peculiar/x509";
import Fastify, { type FastifyInstance } from "fastify";
import samlify from "samlify";
import { ALGORITHM, URN } from "./constants.ts";
import { createSamlSp, type SamlOrgView, type SamlSp } from "./index.ts";
import { toPem } from "./keys.ts";
import type { SamlUser } from "./types.ts";
import type { ValidationResult } from "./validate-response.ts";

// No XSD validator package is installed, and samlify refuses to run without one. The emulator
// itself never uses samlify; in these tests samlify only builds and signs IdP messages.
samlify.setSchemaValidator({ validate: async () => "ok" });

export const ORG_ID = "00D5g000004AbCd";
export const INSTANCE_URL = "https://acme.my.salesforce.com";
export const SITE = { name: "Customers", urlPathPrefix: "customers", siteId: "0DM5g0000004CQz" };
export const ORG_ACS = `${INSTANCE_URL}?so=${ORG_ID}`;
export const SITE_ACS = `${INSTANCE_URL}/customers/login?so=${ORG_ID}&sc=${SITE.siteId}`;
export const IDP_ENTITY_ID = "https://idp.example.test/portico";
export const IDP_SSO_URL = "https://idp.example.test/idp/SSO.saml2";
export const IDP_SLO_URL = "https://idp.example.test/idp/SLO.saml2";

export const USERS: SamlUser[] = [
  {
    Id: "0055g00000A1aaaAAA",
    Username: "ada@acme.test",
    FederationIdentifier: "ada.fed",
    IsActive: true,
    IsFrozen: false,
  },
  {
    Id: "0055g00000A1bbbAAA",
    Username: "grace@acme.test",
    FederationIdentifier: null,
    IsActive: true,
    IsFrozen: false,
  },
  {
    Id: "0055g00000A1cccAAA",
    Username: "ivan@acme.test",
    FederationIdentifier: null,
    IsActive: false,
    IsFrozen: false,
  },
  {
    Id: "0055g00000A1dddAAA",
    Username: "frank@acme.test",
    FederationIdentifier: null,
    IsActive: true,
    IsFrozen: true,
  },
];

export type KeyPair = { privateKeyPem: string; certificatePem: string };

export async function makeKeyPair(cn: string): Promise<KeyPair> {
  const algorithm = {
    name: "RSASSA-PKCS1-v1_5",
    hash: "SHA-256",
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: 2048,
  };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ["sign", "verify"]);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: `CN=${cn}`,
    notBefore: new Date("2020-01-01T00:00:00Z"),
    notAfter: new Date("2040-01-01T00:00:00Z"),
    signingAlgorithm: algorithm,
    keys: keys as unknown as CryptoKeyPair,
  });
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", keys.privateKey);
  return { privateKeyPem: toPem(Buffer.from(pkcs8), "PRIVATE KEY"), certificatePem: cert.toString("pem") };
}

let keyCache: Promise<{ idp: KeyPair; stranger: KeyPair }> | undefined;
/** The trusted IdP's keys and a stranger's, made once per test process. */
export function testKeys() {
  keyCache ??= Promise.all([makeKeyPair("Portico Test IdP"), makeKeyPair("Stranger")]).then(
    ([idp, stranger]) => ({ idp, stranger }),
  );
  return keyCache;
}

export type ResponseOptions = {
  nameId?: string;
  issuer?: string;
  audience?: string;
  recipient?: string;
  destination?: string;
  inResponseTo?: string;
  issueInstant?: Date;
  notBefore?: Date;
  notOnOrAfter?: Date;
  statusCode?: string;
  sign?: "assertion" | "response" | "both" | "none";
  signer?: "idp" | "stranger";
  sigAlg?: "rsa-sha256" | "rsa-sha1";
  attributes?: Record<string, string>;
  encrypt?: boolean;
  /** Edits the XML template before values are filled in and before signing. */
  editTemplate?: (template: string) => string;
};

export type Harness = Awaited<ReturnType<typeof startHarness>>;

/** `orgView` swaps the fixed users for a real org's view (JIT tests need the org to write to). */
export async function startHarness(
  options: { orgView?: (now: () => Date) => Omit<SamlOrgView, "orgId" | "instanceUrl" | "communities"> } = {},
) {
  const keys = await testKeys();
  const clock = { now: new Date("2026-07-01T12:00:00.000Z") };
  const fixed: SamlOrgView = {
    orgId: ORG_ID,
    instanceUrl: INSTANCE_URL,
    communities: [SITE],
    findUser(by, value) {
      const wanted = value.toLowerCase();
      return USERS.find(
        (u) => (by === "Username" ? u.Username : u.FederationIdentifier)?.toLowerCase() === wanted,
      );
    },
    now: () => new Date(clock.now.getTime()),
  };
  const view: SamlOrgView = options.orgView
    ? {
        ...options.orgView(() => new Date(clock.now.getTime())),
        orgId: ORG_ID,
        instanceUrl: INSTANCE_URL,
        communities: [SITE],
      }
    : fixed;
  const sp: SamlSp = createSamlSp(() => view);
  const app: FastifyInstance = Fastify();
  await app.register(formbody);
  sp.register(app);
  await app.ready();

  async function configure(overrides: Record<string, unknown> = {}) {
    const res = await app.inject({
      method: "PUT",
      url: "/_emulator/sso",
      payload: {
        issuer: IDP_ENTITY_ID,
        idpCertificate: keys.idp.certificatePem,
        identityType: "Username",
        identityLocation: "SubjectNameId",
        entityId: INSTANCE_URL,
        idpLoginUrl: IDP_SSO_URL,
        idpLogoutUrl: IDP_SLO_URL,
        ...overrides,
      },
    });
    if (res.statusCode !== 200) throw new Error(`configure failed: ${res.body}`);
    return res.json() as { spCertificate: string; configId: string };
  }

  async function spMetadata(): Promise<string> {
    return (await app.inject({ method: "GET", url: "/_emulator/sso/metadata" })).body;
  }

  /** A samlify SP entity built from the emulator's own metadata. */
  async function samlifySp(extra: Record<string, unknown> = {}, edit?: (xml: string) => string) {
    const xml = await spMetadata();
    return samlify.ServiceProvider({ metadata: edit ? edit(xml) : xml, ...extra });
  }

  function samlifyIdp(options: {
    signer?: "idp" | "stranger";
    issuer?: string;
    sigAlg?: string;
    encrypt?: boolean;
    wantLogoutRequestSigned?: boolean;
    wantLogoutResponseSigned?: boolean;
  }) {
    const pair = options.signer === "stranger" ? keys.stranger : keys.idp;
    return samlify.IdentityProvider({
      entityID: options.issuer ?? IDP_ENTITY_ID,
      privateKey: pair.privateKeyPem,
      signingCert: pair.certificatePem,
      requestSignatureAlgorithm: options.sigAlg ?? ALGORITHM.rsaSha256,
      isAssertionEncrypted: options.encrypt ?? false,
      wantLogoutRequestSigned: options.wantLogoutRequestSigned ?? false,
      wantLogoutResponseSigned: options.wantLogoutResponseSigned ?? false,
      nameIDFormat: [URN.unspecifiedNameId],
      singleSignOnService: [{ Binding: URN.redirectBinding, Location: IDP_SSO_URL }],
      singleLogoutService: [{ Binding: URN.redirectBinding, Location: IDP_SLO_URL }],
    });
  }

  /** A base64 SAMLResponse, signed by samlify as `options` say. */
  async function issueResponse(options: ResponseOptions = {}): Promise<string> {
    const now = clock.now;
    const issueInstant = options.issueInstant ?? now;
    const values: Record<string, string | undefined> = {
      ID: `_r${webcrypto.randomUUID().replace(/-/g, "")}`,
      AssertionID: `_a${webcrypto.randomUUID().replace(/-/g, "")}`,
      Destination: options.destination ?? ORG_ACS,
      Audience: options.audience ?? INSTANCE_URL,
      SubjectRecipient: options.recipient ?? ORG_ACS,
      Issuer: options.issuer ?? IDP_ENTITY_ID,
      IssueInstant: issueInstant.toISOString(),
      StatusCode: options.statusCode ?? URN.success,
      ConditionsNotBefore: (options.notBefore ?? new Date(issueInstant.getTime() - 60_000)).toISOString(),
      ConditionsNotOnOrAfter: (
        options.notOnOrAfter ?? new Date(issueInstant.getTime() + 300_000)
      ).toISOString(),
      SubjectConfirmationDataNotOnOrAfter: (
        options.notOnOrAfter ?? new Date(issueInstant.getTime() + 300_000)
      ).toISOString(),
      NameIDFormat: URN.unspecifiedNameId,
      NameID: options.nameId ?? "ada@acme.test",
      InResponseTo: options.inResponseTo,
      AuthnStatement: undefined,
    };
    const attributeXml = Object.entries(options.attributes ?? {})
      .map(
        ([name, value]) =>
          `<saml:Attribute Name="${name}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:unspecified"><saml:AttributeValue>${value}</saml:AttributeValue></saml:Attribute>`,
      )
      .join("");
    const authn = `<saml:AuthnStatement AuthnInstant="${issueInstant.toISOString()}" SessionIndex="_s${values.AssertionID}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`;
    const fill = (template: string) => {
      const edited = (options.editTemplate ?? ((t: string) => t))(template)
        .replace("{AuthnStatement}", authn)
        .replace(
          "{AttributeStatement}",
          attributeXml === "" ? "" : `<saml:AttributeStatement>${attributeXml}</saml:AttributeStatement>`,
        );
      return samlify.SamlLib.replaceTagsByValue(edited, values);
    };
    const sign = options.sign ?? "assertion";
    if (sign === "none") {
      return Buffer.from(fill(samlify.SamlLib.defaultLoginResponseTemplate.context)).toString("base64");
    }
    const idp = samlifyIdp({
      ...(options.signer ? { signer: options.signer } : {}),
      ...(options.issuer ? { issuer: options.issuer } : {}),
      ...(options.sigAlg === "rsa-sha1" ? { sigAlg: ALGORITHM.rsaSha1 } : {}),
      ...(options.encrypt ? { encrypt: true } : {}),
    });
    const sp = await samlifySp(
      sign === "assertion" ? {} : { wantMessageSigned: true },
      sign === "response"
        ? (xml) => xml.replace('WantAssertionsSigned="true"', 'WantAssertionsSigned="false"')
        : undefined,
    );
    const made = await idp.createLoginResponse(
      sp,
      { extract: {} },
      "post",
      {},
      { customTagReplacement: (template) => ({ id: values.ID ?? "", context: fill(template) }) },
    );
    return made.context;
  }

  async function post(samlResponse: string, options: { path?: string; relayState?: string } = {}) {
    return app.inject({
      method: "POST",
      url: options.path ?? `/?so=${ORG_ID}`,
      payload: new URLSearchParams({
        SAMLResponse: samlResponse,
        ...(options.relayState !== undefined ? { RelayState: options.relayState } : {}),
      }).toString(),
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
  }

  /** Signs `nameId` in at the org login URL; returns the `sid` cookie and the SessionIndex. */
  async function login(nameId = "ada@acme.test") {
    const response = await issueResponse({ nameId });
    const res = await post(response);
    if (res.statusCode !== 200) throw new Error(`login failed: ${res.body}`);
    const cookie = String(res.headers["set-cookie"]).split(";")[0] ?? "";
    const sessionIndex = decodeResponse(response).match(/SessionIndex="([^"]+)"/)?.[1] ?? "";
    return { cookie, sessionIndex };
  }

  async function sessions(): Promise<{ id: string; username: string }[]> {
    return (await app.inject({ method: "GET", url: "/_emulator/sso/sessions" })).json();
  }

  async function last(): Promise<ValidationResult> {
    return (await app.inject({ method: "GET", url: "/_emulator/sso/validations/last" })).json();
  }

  return {
    app,
    sp,
    clock,
    view,
    keys,
    configure,
    spMetadata,
    samlifySp,
    samlifyIdp,
    issueResponse,
    post,
    login,
    sessions,
    last,
    close: () => app.close(),
  };
}

export function decodeResponse(base64: string): string {
  return Buffer.from(base64, "base64").toString("utf8");
}

export function encodeResponse(xml: string): string {
  return Buffer.from(xml, "utf8").toString("base64");
}
