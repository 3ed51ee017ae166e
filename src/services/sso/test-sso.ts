import { generateSigningKeyPair } from "../../crypto/keys.ts";
import type { AuthenticatedSubject, AuthenticationSource, ConnectionRecord } from "../../domain/ports.ts";
import { type SpConnection, ssoAttributeMapping } from "../../domain/sp-connection.ts";
import { AppError } from "../../lib/errors.ts";
import type { SigningInput } from "../../saml/response/build-response.ts";
import {
  inspectResponse,
  type ResponseCheck,
  type ResponseSummary,
} from "../../saml/response/inspect-response.ts";
import { indentXml } from "../../xml/indent.ts";
import type { Principal } from "../admin-auth.ts";
import { recordAudit } from "../audit.ts";
import type { ServiceContext } from "../context.ts";
import {
  locateSubject,
  type ValidatorRef,
  type ValidatorSearch,
} from "../credential-validators/locate-subject.ts";
import { getSigningCertificatePem } from "../keys.ts";
import { hasJitContract, jitAttributesOf, jitContractNames } from "../salesforce-jit.ts";
import { withAttributeSources } from "./attribute-sources.ts";
import { absoluteUrl, defaultAcs } from "./flow.ts";
import { fulfill, issueResponse, issuerFor, signingFor } from "./issue-response.ts";

/**
 * `portico sso test`: builds the Response a user would get from a connection, exactly as the SSO
 * endpoint would sign it, and inspects it as the SP would, so an admin can see what Salesforce
 * will receive and why it might refuse it — before a user tries. The user is found as the sign-in
 * form would find them, through its Credential Validators in order (the built-in directory, or an
 * LDAP search without a bind), and the result says which one did; the connection's LDAP attribute
 * sources are then looked up as at SSO. Nothing is stored (no session, no replay entry) except
 * one audit event naming who tested which partner for which user.
 *
 * The Response it shows must not sign that user in: anyone holding a Response signed with the
 * connection's key could post it to Salesforce within its validity window. So the checks run on
 * one signed with the connection's key, which is discarded, and the one shown is signed with a
 * throwaway key made for this call alone, which no SP trusts. Only an ADMIN account signed in
 * with its password (not an API token) may ask for a usable one, and that is audited apart
 * (`sso.test.usableAssertion`), naming the user.
 */

export type SsoTestInput = {
  /** The SP's entity ID (PingFederate's PartnerSpId). */
  readonly partnerSpId: string;
  readonly uid: string;
  /** An ACS by its index; the connection's default ACS when absent. */
  readonly acsIndex?: number | undefined;
  /** Sign the Response shown with the connection's key, so that the SP would accept it. */
  readonly allowUsableAssertion?: boolean | undefined;
};

export type SsoTestResult = {
  readonly connection: {
    readonly id: string;
    readonly name: string;
    readonly entityId: string;
    readonly active: boolean;
  };
  readonly user: string;
  /** The credential validator that found the user (and the data store it searched). */
  readonly foundBy: ValidatorRef;
  /** The sign-in form's validators asked, in order, up to the one that found the user. */
  readonly searched: readonly ValidatorSearch[];
  readonly acsUrl: string;
  /** An IdP-initiated test carries no RelayState. */
  readonly relayState: null;
  /** The Response exactly as signed (decoded from base64): verify only this. */
  readonly xml: string;
  /** An indented copy for reading; its signatures no longer verify. */
  readonly prettyXml: string;
  /** Whether `xml` is signed with the connection's key, so that the SP would accept it. */
  readonly usable: boolean;
  /** What `xml` is signed with and what it can do, in words. */
  readonly notice: string;
  readonly summary: ResponseSummary;
  readonly checks: readonly ResponseCheck[];
  /** Whether every check passes. */
  readonly ok: boolean;
  /**
   * The Salesforce Just-in-Time provisioning attributes the user would send, and the required
   * ones they have no value for; null when the connection's contract does not turn JIT on.
   */
  readonly jit: JitPreview | null;
};

export type JitPreview = {
  readonly attributes: readonly { readonly name: string; readonly values: readonly string[] }[];
  readonly missing: readonly string[];
};

/** What Salesforce's JIT would make of this user's attributes, as a check an admin reads. */
const jitPreview = (
  connection: SpConnection,
  subject: AuthenticatedSubject,
): { preview: JitPreview; check: ResponseCheck } | null => {
  if (!hasJitContract(connection)) return null;
  const names = jitContractNames(connection);
  const preview = jitAttributesOf(
    names,
    names.map((name) => ({ name, values: [...fulfill(connection, subject, name)] })),
  );
  const check: ResponseCheck =
    preview.missing.length === 0
      ? {
          name: "Salesforce JIT attributes",
          ok: true,
          detail: `The user sends every attribute Salesforce requires to create or update them (${preview.attributes.length} JIT attributes).`,
          warning: null,
        }
      : {
          name: "Salesforce JIT attributes",
          ok: false,
          detail: `The user has no value for ${preview.missing.join(", ")}: with User Provisioning Enabled, Salesforce refuses the sign-in with JIT error 5, "Unable to create user" (REQUIRED_FIELD_MISSING). Give the user the directory attributes these come from, or map them to others.`,
          warning: null,
        };
  return { preview, check };
};

/** The session index the test assertion carries: no SSO session stands behind it. */
export const ssoTestSessionIndex = "_sso-test";

const acsFor = (connection: SpConnection, index: number | undefined): string => {
  if (index === undefined) return defaultAcs(connection).url;
  const endpoints = (connection.spBrowserSso?.ssoServiceEndpoints ?? []).filter((e) => e.binding === "POST");
  const chosen = endpoints.find((e) => e.index === index);
  if (!chosen) {
    const known = endpoints.map((e) => e.index).join(", ");
    throw new AppError("SAML_ACS_UNKNOWN", {
      message: `The connection has no HTTP-POST Assertion Consumer Service with index ${index}${known === "" ? "" : ` (it has ${known})`}.`,
    });
  }
  return absoluteUrl(connection, chosen.url);
};

/** Where the connection takes the NameID from, in words. */
const subjectSource = (connection: SpConnection): string => {
  const rule = ssoAttributeMapping(connection.spBrowserSso)?.attributeContractFulfillment.SAML_SUBJECT;
  if (!rule || rule.source.type === "NO_MAPPING") return "maps SAML_SUBJECT to nothing";
  if (rule.source.type === "TEXT") return "maps SAML_SUBJECT to an empty constant";
  return `takes it from the directory attribute "${rule.value}", which this user does not have`;
};

/** The NameID must have a value before anything is signed; say why it has none. */
const requireSubject = (connection: ConnectionRecord, subject: AuthenticatedSubject): void => {
  // PSEUDONYM and TRANSIENT mappings make their own NameIDs: SAML_SUBJECT plays no part.
  if ((connection.document.spBrowserSso?.spSamlIdentityMapping ?? "STANDARD") !== "STANDARD") return;
  const value = fulfill(connection.document, subject, "SAML_SUBJECT")[0];
  if (value !== undefined && value !== "") return;
  const message = `User "${subject.uid}" has no value for SAML_SUBJECT, the NameID of connection "${connection.name}": the connection ${subjectSource(connection.document)}. Give the user that attribute, or map SAML_SUBJECT to another one.`;
  throw new AppError("SAML_SUBJECT_MISSING", { message, details: [{ field: "SAML_SUBJECT", message }] });
};

/** Signing and encryption failures here are the connection's configuration, not a server fault. */
const asConfigurationError = (error: unknown, connection: ConnectionRecord): unknown =>
  error instanceof AppError &&
  (error.code === "SAML_SIGNING_FAILED" || error.code === "SAML_ENCRYPTION_FAILED")
    ? new AppError("CONN_INVALID", {
        message: `Portico cannot build a Response for connection "${connection.name}": ${error.message}`,
        cause: error,
      })
    : error;

const activeCheck = (record: ConnectionRecord): ResponseCheck =>
  record.active
    ? {
        name: "Connection active",
        ok: true,
        detail: `The connection "${record.name}" is active.`,
        warning: null,
      }
    : {
        name: "Connection active",
        ok: false,
        detail: `The connection "${record.name}" is inactive, so Portico signs no one in to it; activate it with \`portico connections activate ${record.id}\` once the checks below pass.`,
        warning: null,
      };

const profilesCheck = (connection: SpConnection): ResponseCheck => {
  const profiles = connection.spBrowserSso?.enabledProfiles ?? [];
  const idp = profiles.includes("IDP_INITIATED_SSO");
  const sp = profiles.includes("SP_INITIATED_SSO");
  if (!idp && !sp) {
    return {
      name: "SSO profiles",
      ok: false,
      detail:
        "Neither IdP-initiated nor SP-initiated SSO is enabled on the connection, so no one can sign in with it.",
      warning: null,
    };
  }
  const enabled =
    idp && sp
      ? "IdP-initiated and SP-initiated SSO are"
      : idp
        ? "Only IdP-initiated SSO is"
        : "Only SP-initiated SSO is";
  return { name: "SSO profiles", ok: true, detail: `${enabled} enabled.`, warning: null };
};

/** Who may ask for a Response that signs the user in: an ADMIN account, not an API token. */
const mayHaveUsableAssertion = (principal: Principal): boolean =>
  principal.kind === "admin" && principal.role === "ADMIN";

/** See the comment at the top of this file. */
export const testSso = async (
  context: ServiceContext,
  source: AuthenticationSource,
  principal: Principal,
  input: SsoTestInput,
): Promise<SsoTestResult> => {
  const record = await context.store.connections.getByEntityId(input.partnerSpId);
  if (!record) {
    throw new AppError("CONN_NOT_FOUND", {
      message: `No SP connection has the entity ID ${input.partnerSpId}.`,
    });
  }
  const usable = input.allowUsableAssertion === true;
  const audit = (outcome: "SUCCESS" | "FAILURE", detail: Record<string, unknown>) =>
    recordAudit(
      context.store.auditLog,
      context.clock,
      principal,
      usable ? "sso.test.usableAssertion" : "sso.test",
      { type: "spConnection", id: record.id },
      { partnerSpId: record.entityId, uid: input.uid, ...detail },
      outcome,
    );
  if (usable && !mayHaveUsableAssertion(principal)) {
    await audit("FAILURE", { code: "AUTH_FORBIDDEN" });
    throw new AppError("AUTH_FORBIDDEN", {
      message:
        "A usable assertion is given only to an ADMIN account signed in with its password, not to an API token; without allowUsableAssertion the test runs with a throwaway key.",
    });
  }
  let result: SsoTestResult;
  try {
    result = await run(context, source, record, input.uid, input.acsIndex, usable);
  } catch (error) {
    await audit("FAILURE", { code: error instanceof AppError ? error.code : "INTERNAL" });
    throw error;
  }
  await audit(result.ok ? "SUCCESS" : "FAILURE", {
    validator: result.foundBy.validator,
    acsUrl: result.acsUrl,
    failedChecks: result.checks.filter((c) => !c.ok).map((c) => c.name),
    ...(usable ? { responseId: result.summary.id, nameId: result.summary.assertion?.nameId ?? null } : {}),
  });
  return result;
};

const throwawayNotice =
  "This Response is signed with a throwaway key made for this test alone, not with the connection's key, so Salesforce (or any SP that trusts Portico) refuses it. The checks ran on an otherwise identical Response signed with the connection's key, which is not shown.";

const usableNotice = (uid: string, acsUrl: string, summary: ResponseSummary): string => {
  const until = summary.assertion?.subjectConfirmation?.notOnOrAfter ?? summary.assertion?.notOnOrAfter;
  return `This Response is signed with the connection's key: posted to ${acsUrl}${until ? ` before ${until}` : ""}, it signs "${uid}" in. Keep it like a password; this test is in the audit log as sso.test.usableAssertion.`;
};

/** A key pair of the connection's kind, made for one test and then forgotten. */
const throwawaySigning = async (signing: SigningInput, now: Date): Promise<SigningInput> => {
  const pair = await generateSigningKeyPair({
    keyAlgorithm: signing.algorithm.endsWith("ECDSA") ? "EC" : "RSA",
    subjectDn: "CN=Portico sso test throwaway key, O=Trusted by no service provider",
    validDays: 1,
    now,
  });
  return { ...signing, privateKeyPem: pair.privateKeyPem, certificatePem: pair.certificatePem };
};

const run = async (
  context: ServiceContext,
  source: AuthenticationSource,
  record: ConnectionRecord,
  uid: string,
  acsIndex: number | undefined,
  usable: boolean,
): Promise<SsoTestResult> => {
  const connection = record.document;
  const located = await locateSubject(context, source, uid);
  const acsUrl = acsFor(connection, acsIndex);
  // The attribute sources, once: every check below and the Responses read the same values.
  const subject = await withAttributeSources(context, connection, located.subject);
  requireSubject(record, subject);
  const now = context.clock.now();
  const issue = async (signing?: SigningInput): Promise<string> => {
    try {
      const issued = await issueResponse(context, {
        connection: { ...connection, id: record.id },
        subject,
        acsUrl,
        authnInstant: now,
        sessionIndex: ssoTestSessionIndex,
        signing,
      });
      return issued.xml;
    } catch (error) {
      throw asConfigurationError(error, record);
    }
  };
  const inspect = (xml: string, certificates: readonly string[]) =>
    inspectResponse(xml, {
      idpCertificatesPem: certificates,
      expected: {
        issuer: issuerFor(context, connection),
        audience: connection.entityId,
        recipient: acsUrl,
        destination: acsUrl,
      },
      now,
      skewMs: context.sso.clockSkewSeconds * 1000,
    });
  // What the SP would see: signed with the connection's key, checked against its certificate.
  const signed = await issue();
  const keyId = connection.credentials?.signingSettings?.signingKeyPairRef.id;
  const certificates = keyId === undefined ? [] : [await getSigningCertificatePem(context, keyId)];
  const inspected = inspect(signed, certificates);
  const jit = jitPreview(connection, subject);
  const checks = [
    activeCheck(record),
    profilesCheck(connection),
    ...inspected.checks,
    ...(jit === null ? [] : [jit.check]),
  ];
  // What is shown by default: the same Response, signed with a key no SP trusts.
  const throwawayCopy = async () => {
    const throwaway = await throwawaySigning(await signingFor(context, connection), now);
    const xml = await issue(throwaway);
    return { xml, summary: inspect(xml, [throwaway.certificatePem]).summary, notice: throwawayNotice };
  };
  const shown = usable
    ? {
        xml: signed,
        summary: inspected.summary,
        notice: usableNotice(subject.uid, acsUrl, inspected.summary),
      }
    : await throwawayCopy();
  return {
    connection: { id: record.id, name: record.name, entityId: record.entityId, active: record.active },
    user: subject.uid,
    foundBy: located.foundBy,
    searched: located.searched,
    acsUrl,
    relayState: null,
    xml: shown.xml,
    prettyXml: indentXml(shown.xml),
    usable,
    notice: shown.notice,
    summary: shown.summary,
    checks,
    ok: checks.every((c) => c.ok),
    jit: jit === null ? null : jit.preview,
  };
};
