import { type AssertionCheckContext, assertionChecks } from "./assertion-checks.ts";
import { BindingRejected, decodePostMessage } from "./bindings.ts";
import { type Check, check, isNamed, passed, Stop, stop, type ValidationCheck } from "./checks.ts";
import { LOGIN_STATUS, type LoginStatus, NS, URN } from "./constants.ts";
import { type Located, locateSignedAssertion } from "./locate-assertion.ts";
import type { SsoSettings } from "./settings.ts";
import type { JitError, SamlUser } from "./types.ts";
import { attr, child, parseXml, text } from "./xml.ts";

export type { ValidationCheck } from "./checks.ts";

/** What the emulator records for every POST to an ACS, newest first in the control API. */
export type ValidationResult = {
  time: string;
  status: LoginStatus;
  success: boolean;
  username?: string;
  userId?: string;
  checks: ValidationCheck[];
  issuer?: string;
  assertionId?: string;
  inResponseTo?: string;
  nameId?: string;
  acsUrl: string;
  relayState?: string;
  /** On success: where Salesforce would send the browser. */
  redirectTo?: string;
  /** On success with an external RelayState: "Invalid Page Redirection". */
  redirectError?: string;
  /** When Just-in-Time provisioning refused the assertion: Salesforce's JIT error. */
  jitError?: JitError;
};

export type ValidationContext = AssertionCheckContext & {
  settings: SsoSettings | undefined;
  decryptAssertion(encryptedAssertion: Element): Promise<string>;
};

export type ValidationOutcome = {
  result: ValidationResult;
  /** Set once the assertion's signature verified: its ID now counts for replay detection. */
  verifiedAssertionId?: string;
  /** Set only on success. */
  login?: {
    user: SamlUser;
    nameId: string;
    sessionIndex?: string;
    inResponseTo?: string;
  };
};

function strip(checks: Check[]): ValidationCheck[] {
  return checks.map(({ name, ok, detail }) => ({ name, ok, detail }));
}

/**
 * Validates a POSTed SAMLResponse as Salesforce's SP does (salesforce-api.md §5.5), producing
 * the Login History status of the first failed check and the validator's per-check report.
 * Pure apart from the lookups in `ctx`; the caller records replay, sessions and history.
 */
export async function validateSamlResponse(
  samlResponse: string | undefined,
  ctx: ValidationContext,
): Promise<ValidationOutcome> {
  const time = ctx.now.toISOString();
  const acsUrl = ctx.acs.url;
  const checks: Check[] = [];
  const failed = (last: Check, extra: Partial<ValidationResult> = {}): ValidationOutcome => ({
    result: {
      time,
      status: last.failStatus,
      success: false,
      checks: strip([...checks, last]),
      acsUrl,
      ...extra,
    },
  });

  const settings = ctx.settings;
  if (!settings) {
    return failed(
      check(false, LOGIN_STATUS.configurationError, "Configuration", "", "SAML is not enabled for this org"),
    );
  }
  checks.push(passed("Configuration", `SAML configuration "${settings.name}"`));

  let located: Located;
  try {
    if (samlResponse === undefined || samlResponse === "") {
      stop(LOGIN_STATUS.assertionInvalid, "SAMLResponse", "no SAMLResponse parameter");
    }
    let xml: string;
    let doc: Document;
    try {
      xml = decodePostMessage(samlResponse);
      doc = parseXml(xml);
    } catch (error) {
      const reason = error instanceof BindingRejected ? error.message : (error as Error).message;
      stop(LOGIN_STATUS.assertionInvalid, "SAMLResponse", reason);
    }
    const root = doc.documentElement;
    if (!isNamed(root, NS.protocol, "Response")) {
      stop(LOGIN_STATUS.assertionInvalid, "SAMLResponse", "root element is not samlp:Response");
    }
    checks.push(passed("SAMLResponse", "well-formed samlp:Response"));

    const statusCode = child(child(root, NS.protocol, "Status") ?? root, NS.protocol, "StatusCode");
    const statusValue = statusCode ? attr(statusCode, "Value") : undefined;
    if (statusValue !== URN.success) {
      stop(LOGIN_STATUS.assertionInvalid, "Status", `Status is ${statusValue ?? "missing"}, not Success`);
    }
    checks.push(passed("Status", "Success"));

    located = await locateSignedAssertion(xml, doc, root, settings, ctx.decryptAssertion);
    checks.push(passed("Signature", located.signatureDetail));
  } catch (error) {
    if (error instanceof Stop) return failed(error.check);
    // Anything else that breaks while reading peer input is still a malformed assertion to the
    // user, not a server error.
    return failed(check(false, LOGIN_STATUS.assertionInvalid, "SAMLResponse", "", (error as Error).message));
  }

  const outcome = assertionChecks(located, settings, ctx);
  checks.push(...outcome.checks);
  const firstFailure = checks.find((c) => !c.ok);
  const extra: Partial<ValidationResult> = {
    assertionId: located.assertionId,
    ...(outcome.issuer !== undefined ? { issuer: outcome.issuer } : {}),
    ...(outcome.inResponseTo !== undefined ? { inResponseTo: outcome.inResponseTo } : {}),
    ...(outcome.nameId !== undefined ? { nameId: outcome.nameId } : {}),
    ...(outcome.user ? { username: outcome.user.Username, userId: outcome.user.Id } : {}),
    ...(outcome.jitError !== undefined ? { jitError: outcome.jitError } : {}),
  };
  const result: ValidationResult = {
    time,
    status: firstFailure ? firstFailure.failStatus : LOGIN_STATUS.success,
    success: !firstFailure,
    checks: strip(checks),
    acsUrl,
    ...extra,
  };
  if (firstFailure || !outcome.user || outcome.nameId === undefined) {
    return { result, verifiedAssertionId: located.assertionId };
  }
  // Single logout matches sessions by the Subject's NameID, whatever identified the user.
  const subject = child(located.assertion, NS.assertion, "Subject");
  const nameId = (subject ? text(child(subject, NS.assertion, "NameID")) : undefined) || outcome.nameId;
  const authn = child(located.assertion, NS.assertion, "AuthnStatement");
  const sessionIndex = authn ? attr(authn, "SessionIndex") : undefined;
  return {
    result,
    verifiedAssertionId: located.assertionId,
    login: {
      user: outcome.user,
      nameId,
      ...(sessionIndex !== undefined ? { sessionIndex } : {}),
      ...(outcome.inResponseTo !== undefined ? { inResponseTo: outcome.inResponseTo } : {}),
    },
  };
}
