import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { updateRecord } from "../../emulator/salesforce/dml.ts";
import { resolveOptions } from "../../emulator/salesforce/org-factory.ts";
import { samlView } from "../../emulator/salesforce/saml-view.ts";
import type { SObjectType } from "../../emulator/salesforce/schema/schema.ts";
import { EmulatorState } from "../../emulator/salesforce/state.ts";

/** What the SAML service provider sees of the org (issue 4, item 7). */

const clock = () => new Date("2026-07-01T12:00:00Z");
const casey = "casey.customer@customers.acme-emulator.example.com";

function state(): EmulatorState {
  return new EmulatorState(clock, "http://127.0.0.1:8443", resolveOptions({ clock, baseUrl: "" }));
}

describe("the SAML view of the org", () => {
  const table: [
    name: string,
    by: "Username" | "FederationIdentifier",
    value: string,
    username: string | undefined,
  ][] = [
    ["Username, exactly", "Username", casey, casey],
    ["Username, in another case", "Username", casey.toUpperCase(), casey],
    ["Federation ID, case-insensitively by default", "FederationIdentifier", casey.toUpperCase(), casey],
    ["an unknown Federation ID", "FederationIdentifier", "nobody@example.com", undefined],
    ["a Federation ID given as a Username", "Username", "nobody@example.com", undefined],
  ];
  for (const [name, by, value, username] of table) {
    it(`finds a user by ${name}`, () => {
      assert.equal(samlView(state()).findUser(by, value)?.Username, username);
    });
  }

  it("names the org by its 15-character id and its community", () => {
    const view = samlView(state());
    assert.match(view.orgId, /^00D[0-9A-Za-z]{12}$/);
    assert.equal(view.instanceUrl, "http://127.0.0.1:8443");
    assert.deepEqual(
      view.communities.map((c) => [c.name, c.urlPathPrefix, c.siteId.slice(0, 3)]),
      [["customers", "customers", "0DM"]],
    );
    assert.equal(view.now().toISOString(), "2026-07-01T12:00:00.000Z");
  });

  it("reports a frozen user, and matches Federation IDs exactly when the org setting is off", () => {
    const s = state();
    const org = s.org;
    const user = org.userByUsername(casey);
    const login = user === undefined ? undefined : org.userLoginOf(user.Id);
    assert.ok(login);
    updateRecord(
      org,
      org.schema.type("UserLogin") as SObjectType,
      login.Id,
      { IsFrozen: true },
      { userId: org.adminUserId },
    );
    assert.deepEqual(samlView(s).findUser("FederationIdentifier", casey), {
      Id: user?.Id,
      Username: casey,
      FederationIdentifier: casey,
      IsActive: true,
      IsFrozen: true,
    });
    org.settings.federationIdCaseInsensitive = false;
    assert.equal(samlView(s).findUser("FederationIdentifier", casey.toUpperCase()), undefined);
  });
});
