/**
 * How fast Portico writes signed SAML Responses, against the physical limit (one RSA-2048 SHA-256
 * signature each) and against samlify 2.13 (issue 3, "Performance"). Everything runs on this one
 * thread, so each figure is one core's worth.
 *
 *   npm run bench:sso [-- --seconds 5]
 *
 * (a) raw RSA-2048 SHA-256 signatures/s with node:crypto, over a SignedInfo-sized input;
 * (b) Portico's complete signed Responses/s: build through the builder, canonicalize, digest,
 *     sign, serialize, base64 — what the SSO endpoint puts in the form;
 * (c) samlify's `createLoginResponse`/s for the same Response (signed Response, same attributes,
 *     an AuthnStatement), with its schema validator set to a no-op: samlify refuses to run without
 *     one, validation happens when *reading* messages, and creating a Response never consults it.
 * The end-to-end figure over HTTP (d) is measured by whoever composes the runtime; this file
 * exports its measurements for that.
 */
import { sign } from "node:crypto";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
// samlify is CommonJS; its getters (SamlLib among them) are only on the default export under ESM.
import samlify from "samlify";
import { generateSigningKeyPair, type KeyPairPem } from "../src/crypto/keys.ts";
import { buildResponse, type ResponseInput, type SigningInput } from "../src/saml/response/build-response.ts";
import { signingCredentials } from "../src/saml/signing/signing-key.ts";
import { attrnameFormat, nameIdFormat } from "../src/saml/urn.ts";

/** One measurement. */
export type Rate = {
  readonly name: string;
  readonly perSecond: number;
  readonly iterations: number;
  readonly seconds: number;
};

const idpEntityId = "https://portico.example.com";
const spEntityId = "https://acme.my.salesforce.com";
const acsUrl = "https://acme.my.salesforce.com?so=00D5g000004AbCd";
const requestId = "_2CAAAAZxq7vBvME8wMDAwMDAwMDAwMDAwAAAAZlZ8oXh0Ue2T0pFbYe4b1c6Q";
const user = {
  mail: "ada.lovelace@acme.example.com",
  givenName: "Ada",
  sn: "Lovelace",
  title: "Analyst",
};

/** Runs `work` for about `seconds` (after a short warm-up) and reports its rate. */
const measure = async (name: string, seconds: number, work: () => unknown): Promise<Rate> => {
  const warmUntil = performance.now() + Math.min(1000, seconds * 200);
  while (performance.now() < warmUntil) await work();
  let iterations = 0;
  const start = performance.now();
  const until = start + seconds * 1000;
  let now = start;
  while (now < until) {
    // Batches of 16 keep the clock out of the measurement.
    for (let i = 0; i < 16; i++) await work();
    iterations += 16;
    now = performance.now();
  }
  const elapsed = (now - start) / 1000;
  return { name, perSecond: iterations / elapsed, iterations, seconds: elapsed };
};

/** (a) node:crypto RSA-2048 PKCS#1 v1.5 SHA-256 signatures over a SignedInfo-sized input. */
export const measureRawRsaSignatures = async (key: KeyPairPem, seconds: number): Promise<Rate> => {
  const privateKey = signingCredentials(key.privateKeyPem, key.certificatePem).privateKey;
  // A canonical SignedInfo with one reference is about 800 bytes.
  const signedInfo = Buffer.alloc(800, "s");
  return measure("(a) raw RSA-2048 SHA-256 signatures (node:crypto)", seconds, () =>
    sign("sha256", signedInfo, privateKey),
  );
};

let counter = 0;
const nextId = (prefix: string) => `${prefix}${(++counter).toString(16).padStart(32, "0")}`;

/** (b) Portico: a complete signed Response, base64-encoded for the POST form. */
export const measurePorticoResponses = async (key: KeyPairPem, seconds: number): Promise<Rate> => {
  const signing: SigningInput = {
    privateKeyPem: key.privateKeyPem,
    certificatePem: key.certificatePem,
    algorithm: "SHA256withRSA",
    includeCertInSignature: true,
    includeRawKeyInSignature: false,
    signResponse: true,
    signAssertion: false,
  };
  const response = async (): Promise<string> => {
    const now = new Date();
    const input: ResponseInput = {
      issuer: idpEntityId,
      destination: acsUrl,
      inResponseTo: requestId,
      audience: spEntityId,
      recipient: acsUrl,
      nameId: { value: user.mail, format: nameIdFormat.emailAddress },
      sessionIndex: nextId("_s"),
      authnInstant: now,
      attributes: Object.entries(user).map(([name, value]) => ({
        name,
        nameFormat: attrnameFormat.basic,
        values: [value],
      })),
      lifetime: { minutesBefore: 1, minutesAfter: 5 },
      now,
      responseId: nextId("_r"),
      assertionId: nextId("_a"),
    };
    return Buffer.from(await buildResponse(input, signing), "utf8").toString("base64");
  };
  return measure("(b) Portico signed Responses, base64", seconds, response);
};

/** samlify's IdP and SP for an equivalent Response: signed Response, four attributes, an AuthnStatement. */
const samlifyPair = (key: KeyPairPem) => {
  samlify.setSchemaValidator({ validate: async () => "skipped: creating a Response never validates" });
  const attributes = Object.keys(user).map((name) => ({
    name,
    valueTag: name,
    nameFormat: attrnameFormat.basic,
    valueXsiType: "xs:string",
  }));
  const authnStatement =
    '<saml:AuthnStatement AuthnInstant="{AuthnInstant}" SessionIndex="{SessionIndex}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>';
  const context = samlify.SamlLib.defaultLoginResponseTemplate.context
    .replace("{AuthnStatement}", authnStatement)
    .replace("{AttributeStatement}", samlify.SamlLib.attributeStatementBuilder(attributes));
  const idp = samlify.IdentityProvider({
    entityID: idpEntityId,
    privateKey: key.privateKeyPem,
    signingCert: key.certificatePem,
    isAssertionEncrypted: false,
    nameIDFormat: [nameIdFormat.emailAddress],
    singleSignOnService: [
      { Binding: samlify.Constants.namespace.binding.post, Location: `${idpEntityId}/idp/SSO.saml2` },
    ],
    singleLogoutService: [
      { Binding: samlify.Constants.namespace.binding.post, Location: `${idpEntityId}/idp/SLO.saml2` },
    ],
    loginResponseTemplate: { context, attributes },
  });
  const sp = samlify.ServiceProvider({
    entityID: spEntityId,
    wantAssertionsSigned: false,
    wantMessageSigned: true,
    assertionConsumerService: [{ Binding: samlify.Constants.namespace.binding.post, Location: acsUrl }],
  });
  const tags = (template: string) => {
    const now = new Date();
    const later = new Date(now.getTime() + 5 * 60_000).toISOString();
    const id = nextId("_r");
    return {
      id,
      context: samlify.SamlLib.replaceTagsByValue(template, {
        ID: id,
        AssertionID: nextId("_a"),
        Destination: acsUrl,
        Audience: spEntityId,
        SubjectRecipient: acsUrl,
        Issuer: idpEntityId,
        IssueInstant: now.toISOString(),
        StatusCode: "urn:oasis:names:tc:SAML:2.0:status:Success",
        ConditionsNotBefore: new Date(now.getTime() - 60_000).toISOString(),
        ConditionsNotOnOrAfter: later,
        SubjectConfirmationDataNotOnOrAfter: later,
        NameIDFormat: nameIdFormat.emailAddress,
        NameID: user.mail,
        InResponseTo: requestId,
        AuthnInstant: now.toISOString(),
        SessionIndex: nextId("_s"),
        attrMail: user.mail,
        attrGivenName: user.givenName,
        attrSn: user.sn,
        attrTitle: user.title,
      }),
    };
  };
  return { idp, sp, tags };
};

/** (c) samlify 2.13's createLoginResponse (it returns the base64 SAMLResponse). */
export const measureSamlifyResponses = async (key: KeyPairPem, seconds: number): Promise<Rate> => {
  const { idp, sp, tags } = samlifyPair(key);
  const requestInfo = { extract: { request: { id: requestId } } };
  const response = async () => {
    const { context } = await idp.createLoginResponse(sp, requestInfo, "post", { email: user.mail }, tags);
    return context;
  };
  return measure("(c) samlify 2.13 createLoginResponse", seconds, response);
};

/** A samlify Response, decoded, for a reader who wants to see that (b) and (c) build the same thing. */
export const sampleSamlifyResponse = async (key: KeyPairPem): Promise<string> => {
  const { idp, sp, tags } = samlifyPair(key);
  const { context } = await idp.createLoginResponse(
    sp,
    { extract: { request: { id: requestId } } },
    "post",
    { email: user.mail },
    tags,
  );
  return Buffer.from(context, "base64").toString("utf8");
};

const format = (rate: Rate): string =>
  `${rate.name.padEnd(52)} ${rate.perSecond.toFixed(0).padStart(7)}/s  (${rate.iterations} in ${rate.seconds.toFixed(1)} s)`;

export const main = async (argv: readonly string[] = process.argv.slice(2)): Promise<void> => {
  const at = argv.indexOf("--seconds");
  const seconds = at === -1 ? 5 : Number(argv[at + 1]);
  if (!(seconds > 0)) throw new Error("--seconds needs a positive number");
  const key = await generateSigningKeyPair({
    keyAlgorithm: "RSA",
    keySize: 2048,
    subjectDn: "CN=bench",
    validDays: 1,
    now: new Date(),
  });
  console.log(`bench:sso — node ${process.version}, ${seconds} s per figure, one thread\n`);
  const raw = await measureRawRsaSignatures(key, seconds);
  console.log(format(raw));
  const portico = await measurePorticoResponses(key, seconds);
  console.log(format(portico));
  const samlifyRate = await measureSamlifyResponses(key, seconds);
  console.log(format(samlifyRate));
  const share = portico.perSecond / raw.perSecond;
  const speedup = portico.perSecond / samlifyRate.perSecond;
  console.log(`\n(b)/(a) = ${(share * 100).toFixed(0)} % of the signing limit (target ≥ 50 %)`);
  console.log(`(b)/(c) = ${speedup.toFixed(1)}× samlify (target ≥ 4×)`);
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
