import { type Check, check, passed } from "./checks.ts";
import { CLOCK_SKEW_MS, LOGIN_STATUS, MAX_ASSERTION_AGE_MS, NS, URN } from "./constants.ts";
import { assertionAttributes, jitError } from "./jit.ts";
import type { Located } from "./locate-assertion.ts";
import type { SsoSettings } from "./settings.ts";
import type { JitError, SamlOrgView, SamlUser } from "./types.ts";
import type { AcsEndpoint } from "./urls.ts";
import { attr, child, children, text } from "./xml.ts";

/** What the checks after the signature look up. */
export type AssertionCheckContext = {
  acs: AcsEndpoint;
  now: Date;
  /** A request this SP sent, by ID, with the ACS it named. */
  issuedRequest(id: string): { acsUrl: string } | undefined;
  hasSeenAssertion(id: string): boolean;
  findUser: SamlOrgView["findUser"];
  provision?: SamlOrgView["provision"];
};

function parseTime(value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function issuerCheck(located: Located, settings: SsoSettings): { check: Check; issuer?: string } {
  const name = "Issuer";
  const issuerElement = child(located.assertion, NS.assertion, "Issuer");
  const issuer = text(issuerElement);
  const fail = (detail: string) => ({
    check: check(false, LOGIN_STATUS.issuerMismatched, name, "", detail),
    ...(issuer !== undefined ? { issuer } : {}),
  });
  if (!issuerElement || issuer === undefined) return fail("Assertion has no Issuer");
  if (issuer !== settings.issuer)
    return fail(`Issuer "${issuer}" is not the configured "${settings.issuer}"`);
  // salesforce-api.md §5.5 item 2: a Format other than entity is refused.
  for (const element of [issuerElement, located.responseIssuer]) {
    const format = element ? attr(element, "Format") : undefined;
    if (format !== undefined && format !== URN.entityFormat)
      return fail(`Issuer Format ${format} is not entity`);
  }
  if (located.responseIssuer && text(located.responseIssuer) !== settings.issuer) {
    return fail(
      `Response Issuer "${text(located.responseIssuer)}" is not the configured "${settings.issuer}"`,
    );
  }
  return { check: passed(name, `Issuer matches "${issuer}"`), issuer };
}

/** Checks run after the signature, in the order their failure wins the status. */
export function assertionChecks(located: Located, settings: SsoSettings, ctx: AssertionCheckContext) {
  const { assertion } = located;
  const now = ctx.now.getTime();
  const checks: Check[] = [];
  const accepted = [ctx.acs.url, ...ctx.acs.alsoAccepted];

  const issuer = issuerCheck(located, settings);
  checks.push(issuer.check);

  checks.push(
    check(
      !ctx.hasSeenAssertion(located.assertionId),
      LOGIN_STATUS.replayDetected,
      "Replay",
      "Assertion ID not used before",
      `Assertion ID ${located.assertionId} was already used`,
    ),
  );

  const subject = child(assertion, NS.assertion, "Subject");
  checks.push(
    check(
      !!subject,
      LOGIN_STATUS.assertionInvalid,
      "Subject",
      "Subject present",
      "Assertion has no <Subject>",
    ),
  );

  const bearer = subject
    ? children(subject, NS.assertion, "SubjectConfirmation").find((c) => attr(c, "Method") === URN.bearer)
    : undefined;
  const data = bearer ? child(bearer, NS.assertion, "SubjectConfirmationData") : undefined;
  checks.push(
    check(
      !!data,
      LOGIN_STATUS.subjectConfirmationError,
      "Subject Confirmation",
      "bearer SubjectConfirmation present",
      "no bearer SubjectConfirmation with SubjectConfirmationData",
    ),
  );

  const recipient = data ? attr(data, "Recipient") : undefined;
  checks.push(
    check(
      recipient !== undefined && accepted.includes(recipient),
      LOGIN_STATUS.recipientMismatched,
      "Recipient",
      `Recipient matches ${recipient}`,
      `Recipient "${recipient ?? ""}" is not the login URL ${ctx.acs.url}`,
    ),
  );
  if (located.responseDestination !== undefined) {
    checks.push(
      check(
        accepted.includes(located.responseDestination),
        LOGIN_STATUS.recipientMismatched,
        "Destination",
        "Destination matches the login URL",
        `Destination "${located.responseDestination}" is not the login URL ${ctx.acs.url}`,
      ),
    );
  }

  const conditions = child(assertion, NS.assertion, "Conditions");
  const restrictions = conditions ? children(conditions, NS.assertion, "AudienceRestriction") : [];
  const audiences = restrictions.map((r) => children(r, NS.assertion, "Audience").map((a) => text(a) ?? ""));
  // saml-core §2.5.1.4: every AudienceRestriction must be satisfied.
  const audienceOk = audiences.length > 0 && audiences.every((list) => list.includes(settings.entityId));
  checks.push(
    check(
      audienceOk,
      LOGIN_STATUS.audienceInvalid,
      "Audience",
      `Audience matches the Entity ID ${settings.entityId}`,
      `Audience ${JSON.stringify(audiences.flat())} does not match the Entity ID ${settings.entityId}`,
    ),
  );

  checks.push(validityCheck(assertion, conditions, data, now));

  const irt = inResponseToCheck(located, data, ctx);
  checks.push(irt.check);

  // JIT writes to the org, so it runs only for an assertion that passed every other check.
  const identity = identityChecks(
    assertion,
    subject,
    settings,
    ctx,
    checks.every((c) => c.ok),
  );
  checks.push(...identity.checks);

  return {
    checks,
    issuer: issuer.issuer,
    user: identity.user,
    nameId: identity.value,
    inResponseTo: irt.id,
    ...(identity.jitError !== undefined ? { jitError: identity.jitError } : {}),
  };
}

function validityCheck(
  assertion: Element,
  conditions: Element | undefined,
  data: Element | undefined,
  now: number,
): Check {
  const name = "Validity Window";
  const fail = (detail: string) => check(false, LOGIN_STATUS.assertionExpired, name, "", detail);
  const issueInstant = parseTime(attr(assertion, "IssueInstant"));
  if (!issueInstant) return fail("Assertion IssueInstant missing or not a date");
  if (issueInstant.getTime() > now + CLOCK_SKEW_MS)
    return fail(`Assertion issued in the future (${issueInstant.toISOString()})`);
  if (now - issueInstant.getTime() > MAX_ASSERTION_AGE_MS + CLOCK_SKEW_MS) {
    return fail(`Assertion issued at ${issueInstant.toISOString()} is too old`);
  }
  const notBefore = parseTime(conditions ? attr(conditions, "NotBefore") : undefined);
  if (notBefore && notBefore.getTime() > now + CLOCK_SKEW_MS) {
    return fail(`Conditions NotBefore ${notBefore.toISOString()} is in the future`);
  }
  const notOnOrAfter = parseTime(conditions ? attr(conditions, "NotOnOrAfter") : undefined);
  if (notOnOrAfter && notOnOrAfter.getTime() <= now - CLOCK_SKEW_MS) {
    return fail(`Conditions NotOnOrAfter ${notOnOrAfter.toISOString()} has passed`);
  }
  if (data) {
    const confirmationEnd = parseTime(attr(data, "NotOnOrAfter"));
    if (!confirmationEnd) return fail("SubjectConfirmationData NotOnOrAfter missing");
    if (confirmationEnd.getTime() <= now - CLOCK_SKEW_MS) {
      return fail(`SubjectConfirmationData NotOnOrAfter ${confirmationEnd.toISOString()} has passed`);
    }
  }
  return passed(name, "within the validity window (3 minutes skew, 5 minutes age)");
}

function inResponseToCheck(
  located: Located,
  data: Element | undefined,
  ctx: AssertionCheckContext,
): { check: Check; id?: string } {
  const name = "InResponseTo";
  const ids = [located.responseInResponseTo, data ? attr(data, "InResponseTo") : undefined].filter(
    (v): v is string => v !== undefined,
  );
  const id = ids[0];
  if (id === undefined) return { check: passed(name, "unsolicited (IdP-initiated) response") };
  const fail = (detail: string) => ({
    check: check(false, LOGIN_STATUS.inResponseToInvalid, name, "", detail),
    id,
  });
  if (ids.some((other) => other !== id))
    return fail("Response and SubjectConfirmationData InResponseTo differ");
  const request = ctx.issuedRequest(id);
  if (!request) return fail("InResponseTo does not match a request this org sent");
  if (request.acsUrl !== ctx.acs.url) return fail(`the request named another login URL (${request.acsUrl})`);
  return { check: passed(name, "matches a request this org sent"), id };
}

function identityChecks(
  assertion: Element,
  subject: Element | undefined,
  settings: SsoSettings,
  ctx: AssertionCheckContext,
  earlierOk: boolean,
): { checks: Check[]; user?: SamlUser; value?: string; jitError?: JitError } {
  let value: string | undefined;
  let where: string;
  if (settings.identityLocation === "SubjectNameId") {
    where = "NameID";
    value = subject ? text(child(subject, NS.assertion, "NameID")) : undefined;
  } else {
    where = `Attribute ${settings.attributeName ?? ""}`;
    const statements = children(assertion, NS.assertion, "AttributeStatement");
    const attribute = statements
      .flatMap((s) => children(s, NS.assertion, "Attribute"))
      .find((a) => attr(a, "Name") === settings.attributeName);
    value = attribute ? text(child(attribute, NS.assertion, "AttributeValue")) : undefined;
  }
  const jitOn = settings.userProvisioning && ctx.provision !== undefined;
  if (value === undefined || value === "") {
    if (jitOn && earlierOk) {
      const error = jitError("MISSING_FEDERATION_ID");
      return { checks: [jitCheck(error)], jitError: error };
    }
    return {
      checks: [
        check(false, LOGIN_STATUS.assertionInvalid, "Identity", "", `no identity found in the ${where}`),
      ],
    };
  }
  const field = settings.identityType === "Username" ? "Username" : "FederationIdentifier";
  const jitChecks: Check[] = [];
  if (jitOn && earlierOk && ctx.provision) {
    const outcome = ctx.provision({
      federationId: value,
      attributes: assertionAttributes(assertion),
      ...(ctx.acs.community !== undefined ? { community: ctx.acs.community } : {}),
    });
    if (!outcome.ok) return { checks: [jitCheck(outcome.error)], value, jitError: outcome.error };
    jitChecks.push(
      passed(
        "Just-in-Time Provisioning",
        `${outcome.created ? "created" : "updated"} user ${outcome.user.Username}`,
      ),
    );
  }
  const user = ctx.findUser(field, value);
  const mapped = check(
    !!user,
    LOGIN_STATUS.unmappedSubject,
    "User Mapping",
    `${field} "${value}" maps to ${user?.Username ?? ""}`,
    `Unable to map the subject to a Salesforce user: no user with ${field} "${value}"`,
  );
  if (!user) return { checks: [...jitChecks, mapped], value };
  return {
    checks: [
      ...jitChecks,
      mapped,
      check(user.IsActive, LOGIN_STATUS.userInactive, "User Active", "user is active", "user is inactive"),
      check(
        !user.IsFrozen,
        LOGIN_STATUS.userFrozen,
        "User Not Frozen",
        "user is not frozen",
        "user is frozen",
      ),
    ],
    user,
    value,
  };
}

function jitCheck(error: JitError): Check {
  return check(
    false,
    LOGIN_STATUS.jitProvisionError,
    "Just-in-Time Provisioning",
    "",
    `Error ${error.code}: ${error.description} (${error.details})`,
  );
}
