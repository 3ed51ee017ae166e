import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { resolveOptions } from "../../emulator/salesforce/org-factory.ts";
import { LOGIN_STATUS } from "../../emulator/salesforce/saml/constants.ts";
import {
  type Harness,
  INSTANCE_URL,
  ORG_ID,
  SITE,
  SITE_ACS,
  startHarness,
} from "../../emulator/salesforce/saml/test-harness.ts";
import { samlView } from "../../emulator/salesforce/saml-view.ts";
import { EmulatorState } from "../../emulator/salesforce/state.ts";
import type { SRecord } from "../../emulator/salesforce/store.ts";

/** Standard SAML Just-in-Time provisioning at the emulator's login URLs (issue 9, item 7). */

let h: Harness;
let state: EmulatorState;

before(async () => {
  let clock = () => new Date("2026-07-01T12:00:00.000Z");
  state = new EmulatorState(
    () => clock(),
    INSTANCE_URL,
    resolveOptions({ clock: () => clock(), baseUrl: "" }),
  );
  h = await startHarness({
    // Read the org per call: reset() replaces it.
    orgView: (now) => ({
      now,
      findUser: (by, value) => samlView(state).findUser(by, value),
      provision: (request) => samlView(state).provision?.(request) ?? assert.fail("no JIT in the view"),
    }),
  });
  clock = () => new Date(h.clock.now.getTime());
});
after(async () => {
  await h.close();
});
beforeEach(async () => {
  state.reset();
  await h.configure({ identityType: "FederationId", userProvisioning: true });
});

const grace = {
  "User.Username": "grace.hopper@acme.test",
  "User.Email": "grace@acme.test",
  "User.LastName": "Hopper",
  "User.FirstName": "Grace",
  "User.ProfileId": "Standard User",
  "User.FederationIdentifier": "grace@acme.test",
};

const signIn = async (attributes: Record<string, string>, nameId = "grace@acme.test", site = false) =>
  h.post(
    await h.issueResponse({
      nameId,
      attributes,
      ...(site ? { recipient: SITE_ACS, destination: SITE_ACS } : {}),
    }),
    site ? { path: `/customers/login?so=${ORG_ID}&sc=${SITE.siteId}` } : {},
  );

const userByUsername = (username: string): SRecord | undefined => state.org.userByUsername(username);
const profileId = (name: string) => [...state.org.rows("Profile")].find((p) => p.Name === name)?.Id;

/** The JIT error Salesforce sends the browser to, read from the redirect. */
const jitErrorOf = (res: { statusCode: number; headers: Record<string, unknown> }) => {
  assert.equal(res.statusCode, 302);
  const location = new URL(String(res.headers.location));
  assert.match(location.pathname, /^(\/customers)?\/identity\/jit\/saml-error\.jsp$/);
  return {
    code: location.searchParams.get("ErrorCode"),
    description: location.searchParams.get("ErrorDescription"),
    details: location.searchParams.get("ErrorDetails"),
  };
};

describe("standard JIT: the User", () => {
  it("creates the user on first sign-in, with the org's defaults for what the assertion leaves out", async () => {
    assert.equal(userByUsername(grace["User.Username"]), undefined);
    const res = await signIn(grace);
    assert.equal(res.statusCode, 200, res.body);
    const user = userByUsername(grace["User.Username"]);
    assert.ok(user, "the user exists");
    assert.equal(user.Email, "grace@acme.test");
    assert.equal(user.LastName, "Hopper");
    assert.equal(user.FederationIdentifier, "grace@acme.test");
    assert.equal(user.ProfileId, profileId("Standard User"), "a profile name becomes its id");
    assert.equal(user.Alias, "ghopp");
    assert.equal(user.TimeZoneSidKey, "America/Los_Angeles");
    assert.equal(user.IsActive, true);
    const last = await h.last();
    assert.equal(last.status, LOGIN_STATUS.success);
    assert.equal(last.userId, user.Id);
    assert.ok(last.checks.some((c) => c.name === "Just-in-Time Provisioning" && /created/.test(c.detail)));
  });

  it("updates the same user at the next sign-in, and never their Username or Federation ID", async () => {
    await signIn(grace);
    const first = userByUsername(grace["User.Username"]);
    h.clock.now = new Date(h.clock.now.getTime() + 60_000);
    const res = await signIn({ ...grace, "User.LastName": "Hopper-Murray", "User.Title": "Rear Admiral" });
    assert.equal(res.statusCode, 200, res.body);
    const second = userByUsername(grace["User.Username"]);
    assert.equal(second?.Id, first?.Id);
    assert.equal(second?.LastName, "Hopper-Murray");
    assert.equal(second?.Title, "Rear Admiral");
    assert.ok((await h.last()).checks.some((c) => /updated/.test(c.detail)));
  });

  it("keeps an inactive user inactive unless the assertion sets User.IsActive", async () => {
    await signIn({ ...grace, "User.IsActive": "false" });
    assert.equal(userByUsername(grace["User.Username"])?.IsActive, false);
    assert.equal((await h.last()).status, LOGIN_STATUS.userInactive);
    h.clock.now = new Date(h.clock.now.getTime() + 60_000);
    const res = await signIn({ ...grace, "User.IsActive": "true" });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(userByUsername(grace["User.Username"])?.IsActive, true);
  });

  const refused: [name: string, attributes: Record<string, string>, code: string, details: string][] = [
    ["without User.LastName", { ...grace, "User.LastName": "" }, "5", "REQUIRED_FIELD_MISSING LastName"],
    [
      "without User.Username on insert",
      Object.fromEntries(Object.entries(grace).filter(([k]) => k !== "User.Username")),
      "5",
      "REQUIRED_FIELD_MISSING Username",
    ],
    [
      "without User.ProfileId",
      Object.fromEntries(Object.entries(grace).filter(([k]) => k !== "User.ProfileId")),
      "5",
      "REQUIRED_FIELD_MISSING ProfileId",
    ],
    [
      "with an unknown profile name",
      { ...grace, "User.ProfileId": "Astronaut" },
      "16",
      "PROFILE_NAME_LOOKUP_ERROR",
    ],
    ["with an unknown role name", { ...grace, "User.UserRoleId": "Pilot" }, "17", "ROLE_NAME_LOOKUP_ERROR"],
    [
      "with a User.FederationIdentifier that is not the subject",
      { ...grace, "User.FederationIdentifier": "someone@else.test" },
      "2",
      "MISMATCH_FEDERATION_ID",
    ],
    [
      "with an unknown standard field",
      { ...grace, "User.ShoeSize": "9" },
      "9",
      "UNRECOGNIZED_STANDARD_FIELD ShoeSize",
    ],
    [
      "with an unknown custom field",
      { ...grace, "User.Shoe__c": "9" },
      "8",
      "UNRECOGNIZED_CUSTOM_FIELD Shoe__c",
    ],
    [
      "with a time zone the picklist does not hold",
      { ...grace, "User.TimeZoneSidKey": "Mars/Olympus" },
      "5",
      "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST TimeZoneSidKey",
    ],
    ["with ProvisionVersion 2.0", { ...grace, ProvisionVersion: "2.0" }, "13", "UNSUPPORTED_VERSION"],
  ];
  for (const [name, attributes, code, details] of refused) {
    it(`refuses an assertion ${name} with Salesforce's JIT error, and creates no one`, async () => {
      const res = await signIn(attributes);
      assert.deepEqual(
        { ...jitErrorOf(res), description: undefined },
        { code, details, description: undefined },
      );
      assert.equal(userByUsername(grace["User.Username"]), undefined);
      const last = await h.last();
      assert.equal(last.status, LOGIN_STATUS.jitProvisionError);
      assert.equal(last.success, false);
    });
  }

  it("shows the error on the page the browser is sent to", async () => {
    const location = String((await signIn({ ...grace, "User.Email": "" })).headers.location);
    const page = await h.app.inject({ method: "GET", url: location.replace(INSTANCE_URL, "") });
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /Error 5: Unable to create user \(REQUIRED_FIELD_MISSING Email\)/);
  });

  it("refuses a change of Username at a later sign-in", async () => {
    await signIn(grace);
    h.clock.now = new Date(h.clock.now.getTime() + 60_000);
    const res = await signIn({ ...grace, "User.Username": "grace.new@acme.test" });
    assert.equal(jitErrorOf(res).code, "14");
  });

  it("provisions no one from an assertion that fails another check", async () => {
    const res = await h.post(
      await h.issueResponse({ nameId: "grace@acme.test", attributes: grace, audience: "x" }),
    );
    assert.equal(res.statusCode, 403);
    assert.equal((await h.last()).status, LOGIN_STATUS.audienceInvalid);
    assert.equal(userByUsername(grace["User.Username"]), undefined);
  });

  it("with User Provisioning off, an unknown subject is not mapped and no one is created", async () => {
    await h.configure({ identityType: "FederationId", userProvisioning: false });
    const res = await signIn(grace);
    assert.equal(res.statusCode, 403);
    assert.equal((await h.last()).status, LOGIN_STATUS.unmappedSubject);
    assert.equal(userByUsername(grace["User.Username"]), undefined);
  });

  it("requires the Federation ID as the SAML Identity Type to turn User Provisioning on", async () => {
    const res = await h.app.inject({
      method: "PUT",
      url: "/_emulator/sso",
      payload: { issuer: "x", idpCertificate: h.keys.idp.certificatePem, userProvisioning: true },
    });
    assert.equal(res.statusCode, 400);
    assert.match(
      res.json().message,
      /userProvisioning: User Provisioning requires identityType FederationId/,
    );
  });
});

describe("JIT at an Experience Cloud site: Contact and Account", () => {
  const member = {
    "User.Username": "sam.site@customers.acme.test",
    "User.Email": "sam@customers.acme.test",
    "User.LastName": "Site",
    "User.ProfileId": "Acme Customer Community User",
    "Contact.Email": "sam@customers.acme.test",
    "Contact.LastName": "Site",
    "Account.Name": "Sam's Bakery",
    "Account.AccountNumber": "BAKE-0001",
  };

  it("creates the Account, the Contact and the user, linked", async () => {
    const res = await signIn(member, "sam@customers.acme.test", true);
    assert.equal(res.statusCode, 200, res.body);
    const user = userByUsername(member["User.Username"]);
    const contact = user?.ContactId ? state.org.get("Contact", String(user.ContactId)) : undefined;
    const account = contact?.AccountId ? state.org.get("Account", String(contact.AccountId)) : undefined;
    assert.equal(contact?.Email, "sam@customers.acme.test");
    assert.equal(account?.Name, "Sam's Bakery");
    assert.equal(account?.AccountNumber, "BAKE-0001");
    assert.equal(user?.IsPortalEnabled, true);
  });

  it("finds an existing Account by its number rather than making another", async () => {
    const before = [...state.org.rows("Account")].length;
    const res = await signIn(
      { ...member, "Account.Name": "Acme Customers", "Account.AccountNumber": "ACME-0001" },
      "sam@customers.acme.test",
      true,
    );
    assert.equal(res.statusCode, 200, res.body);
    assert.equal([...state.org.rows("Account")].length, before);
  });

  const refused: [name: string, drop: string, code: string][] = [
    ["Contact.Email", "Contact.Email", "24"],
    ["Contact.LastName", "Contact.LastName", "25"],
    ["Account.Name", "Account.Name", "19"],
    ["Account.AccountNumber", "Account.AccountNumber", "20"],
  ];
  for (const [name, drop, code] of refused) {
    it(`refuses a new member without ${name}, and leaves no Account or Contact behind`, async () => {
      const accounts = [...state.org.rows("Account")].length;
      const contacts = [...state.org.rows("Contact")].length;
      const attributes = Object.fromEntries(Object.entries(member).filter(([k]) => k !== drop));
      const res = await signIn(attributes, "sam@customers.acme.test", true);
      assert.equal(jitErrorOf(res).code, code);
      assert.equal([...state.org.rows("Account")].length, accounts);
      assert.equal([...state.org.rows("Contact")].length, contacts);
    });
  }
});
