/**
 * How fast Portico writes signed SAML Responses, against the physical limit (one RSA-2048 SHA-256
 * signature each) and against samlify 2.13 (issue 3, "Performance"). Everything runs on this one
 * thread, so each figure is one core's worth.
 *
 * (a) raw RSA-2048 SHA-256 signatures/s with node:crypto, over a SignedInfo-sized input;
 * (b) Portico's complete signed Responses/s: build through the builder, canonicalize, digest,
 *     sign, serialize, base64 — what the SSO endpoint puts in the form;
 * (c) samlify's `createLoginResponse`/s for the same Response (signed Response, same attributes,
 *     an AuthnStatement), with its schema validator set to a no-op: samlify refuses to run without
 *     one, validation happens when *reading* messages, and creating a Response never consults it.
 * (d) end-to-end IdP-initiated SSO with a live session over loopback HTTP: a whole Portico in this
 *     process, a load client in another (bench/sso-e2e.ts); requests/s and p50/p99 latency.
 *
 *   npm run bench:sso [-- --seconds 5] [--e2e-seconds 10] [--connections 8]
 *
 * The targets compare (b) with (a) and (c), measured in the same run, because on a shared
 * machine the absolute figures move with whatever else runs; the ratios move much less. (a)–(c)
 * are measured in interleaved rounds and each figure is its best round, for the same reason.
 */
import { sign } from "node:crypto";
import { availableParallelism } from "node:os";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
// samlify is CommonJS; its getters (SamlLib among them) are only on the default export under ESM.
import samlify from "samlify";
import { generateSigningKeyPair, type KeyPairPem } from "../src/crypto/keys.ts";
import { buildResponse, type ResponseInput, type SigningInput } from "../src/saml/response/build-response.ts";
import { signingCredentials } from "../src/saml/signing/signing-key.ts";
import { attrnameFormat, nameIdFormat } from "../src/saml/urn.ts";
import { endToEndOptions, formatEndToEnd, measureEndToEnd } from "./sso-e2e.ts";

/** One measured figure. */
export type Rate = {
  readonly name: string;
  /** The best round's rate: what the code does when it has the core to itself. */
  readonly perSecond: number;
  /** Every round's rate, in the order measured. */
  readonly rounds: readonly number[];
  readonly iterations: number;
  readonly seconds: number;
};

/** Something to run over and over, named for the report. */
export type Workload = { readonly name: string; readonly work: () => unknown };

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

/** Runs `work` for about `ms` milliseconds, in batches of 16 to keep the clock out of it. */
const run = async (work: () => unknown, ms: number): Promise<{ iterations: number; ms: number }> => {
  let iterations = 0;
  const start = performance.now();
  const until = start + ms;
  let now = start;
  while (now < until) {
    for (let i = 0; i < 16; i++) await work();
    iterations += 16;
    now = performance.now();
  }
  return { iterations, ms: now - start };
};

/**
 * Measures the workloads for about `seconds` each, in `rounds` interleaved slices (a, b, c, a,
 * b, c, …) after a short warm-up each. On a shared machine the load changes within seconds;
 * interleaving exposes every figure to the same load, and the best round of each is the one
 * least disturbed by it, so the ratios between figures stay meaningful.
 */
export const measure = async (
  workloads: readonly Workload[],
  seconds: number,
  rounds = 5,
): Promise<Rate[]> => {
  for (const { work } of workloads) await run(work, Math.min(1000, seconds * 200));
  const results = workloads.map(() => ({ rounds: [] as number[], iterations: 0, ms: 0 }));
  for (let round = 0; round < rounds; round++) {
    for (const [index, { work }] of workloads.entries()) {
      const slice = await run(work, (seconds * 1000) / rounds);
      const result = results[index];
      if (result === undefined) continue;
      result.rounds.push((slice.iterations * 1000) / slice.ms);
      result.iterations += slice.iterations;
      result.ms += slice.ms;
    }
  }
  return workloads.map(({ name }, index) => {
    const result = results[index] ?? { rounds: [], iterations: 0, ms: 0 };
    return {
      name,
      perSecond: Math.max(...result.rounds),
      rounds: result.rounds,
      iterations: result.iterations,
      seconds: result.ms / 1000,
    };
  });
};

const measureOne = async (workload: Workload, seconds: number): Promise<Rate> => {
  const [rate] = await measure([workload], seconds);
  if (rate === undefined) throw new Error("nothing was measured");
  return rate;
};

/** (a) node:crypto RSA-2048 PKCS#1 v1.5 SHA-256 signatures over a SignedInfo-sized input. */
export const rawRsaSignatures = (key: KeyPairPem): Workload => {
  const privateKey = signingCredentials(key.privateKeyPem, key.certificatePem).privateKey;
  // A canonical SignedInfo with one reference is about 800 bytes.
  const signedInfo = Buffer.alloc(800, "s");
  return {
    name: "(a) raw RSA-2048 SHA-256 signatures (node:crypto)",
    work: () => sign("sha256", signedInfo, privateKey),
  };
};

export const measureRawRsaSignatures = (key: KeyPairPem, seconds: number): Promise<Rate> =>
  measureOne(rawRsaSignatures(key), seconds);

let counter = 0;
const nextId = (prefix: string) => `${prefix}${(++counter).toString(16).padStart(32, "0")}`;

/** (b) Portico: a complete signed Response, base64-encoded for the POST form. */
export const porticoResponses = (key: KeyPairPem): Workload => {
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
  return { name: "(b) Portico signed Responses, base64", work: response };
};

export const measurePorticoResponses = (key: KeyPairPem, seconds: number): Promise<Rate> =>
  measureOne(porticoResponses(key), seconds);

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
export const samlifyResponses = (key: KeyPairPem): Workload => {
  const { idp, sp, tags } = samlifyPair(key);
  const requestInfo = { extract: { request: { id: requestId } } };
  const response = async () => {
    const { context } = await idp.createLoginResponse(sp, requestInfo, "post", { email: user.mail }, tags);
    return context;
  };
  return { name: "(c) samlify 2.13 createLoginResponse", work: response };
};

export const measureSamlifyResponses = (key: KeyPairPem, seconds: number): Promise<Rate> =>
  measureOne(samlifyResponses(key), seconds);

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
  `${rate.name.padEnd(52)} ${rate.perSecond.toFixed(0).padStart(7)}/s  (best of ${rate.rounds.length} rounds: ` +
  `${rate.rounds.map((r) => r.toFixed(0)).join(", ")}; ${rate.iterations} in ${rate.seconds.toFixed(1)} s)`;

const targets = { shareOfSigning: 0.5, speedupOverSamlify: 4 } as const;

const verdict = (met: boolean) => (met ? "met" : "NOT met");

export const main = async (argv: readonly string[] = process.argv.slice(2)): Promise<void> => {
  const at = argv.indexOf("--seconds");
  const seconds = at === -1 ? 5 : Number(argv[at + 1]);
  if (!(seconds > 0)) throw new Error("--seconds needs a positive number");
  const e2e = endToEndOptions(argv);
  const key = await generateSigningKeyPair({
    keyAlgorithm: "RSA",
    keySize: 2048,
    subjectDn: "CN=bench",
    validDays: 1,
    now: new Date(),
  });
  console.log(
    `bench:sso — node ${process.version}, ${availableParallelism()} cores; (a)–(c) ${seconds} s each in 5 interleaved rounds on one thread, ` +
      `(d) ${e2e.seconds} s with ${e2e.connections} connections\n`,
  );
  const [raw, portico, samlifyRate] = await measure(
    [rawRsaSignatures(key), porticoResponses(key), samlifyResponses(key)],
    seconds,
  );
  if (raw === undefined || portico === undefined || samlifyRate === undefined) throw new Error("unmeasured");
  for (const rate of [raw, portico, samlifyRate]) console.log(format(rate));
  const endToEnd = await measureEndToEnd(e2e);
  console.log(formatEndToEnd(endToEnd));
  const share = portico.perSecond / raw.perSecond;
  const speedup = portico.perSecond / samlifyRate.perSecond;
  console.log(
    `\n(b)/(a) = ${(share * 100).toFixed(0)} % of the signing limit — target ≥ ${targets.shareOfSigning * 100} %: ${verdict(share >= targets.shareOfSigning)}`,
  );
  console.log(
    `(b)/(c) = ${speedup.toFixed(1)}× samlify — target ≥ ${targets.speedupOverSamlify}×: ${verdict(speedup >= targets.speedupOverSamlify)}`,
  );
  console.log(
    `(d)/(b) = ${((endToEnd.requestsPerSecond / portico.perSecond) * 100).toFixed(0)} % — what HTTP, the session, storage and the page leave of (b) (no target)`,
  );
  if (endToEnd.errors > 0) {
    console.log(`(d) had ${endToEnd.errors} failed requests: its figures are not valid.`);
    process.exitCode = 1;
  }
  console.log(
    "\nThe targets are ratios against baselines measured in this same run. This is a shared two-core\n" +
      "machine: absolute figures move with its load from run to run; compare ratios, not numbers.",
  );
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
