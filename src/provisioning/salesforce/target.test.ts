import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { throwsCode } from "../../../test/support/errors.ts";
import type { ConfigField } from "../../domain/sp-connection.ts";
import { parseSalesforceDomain } from "./domain.ts";
import { missingTargetSettings, parseSalesforceTarget, targetSettingErrors } from "./target.ts";

const fields = (settings: Record<string, string>): ConfigField[] =>
  Object.entries(settings).map(([name, value]) => ({ name, value }));
const reveal = (field: ConfigField) => field.value;
const complete = {
  SALESFORCE_DOMAIN: "acme.my.salesforce.com",
  AUTH_METHOD: "CLIENT_CREDENTIALS",
  CLIENT_ID: "3MVG9.consumer.key",
  CLIENT_SECRET: "consumer-secret",
};

describe("SALESFORCE_DOMAIN", () => {
  it("takes a My Domain, the login and test hosts, sandboxes, sites and the emulator, as hosts or origins", () => {
    for (const [input, origin, kind] of [
      ["acme.my.salesforce.com", "https://acme.my.salesforce.com", "my-domain"],
      ["https://acme.my.salesforce.com/", "https://acme.my.salesforce.com", "my-domain"],
      ["acme", "https://acme.my.salesforce.com", "my-domain"],
      ["login.salesforce.com", "https://login.salesforce.com", "login"],
      ["https://test.salesforce.com", "https://test.salesforce.com", "test"],
      ["acme--uat.sandbox.my.salesforce.com", "https://acme--uat.sandbox.my.salesforce.com", "sandbox"],
      ["acme.my.site.com", "https://acme.my.site.com", "site"],
      ["http://127.0.0.1:8443", "http://127.0.0.1:8443", "loopback"],
      ["http://localhost:9000", "http://localhost:9000", "loopback"],
    ] as const) {
      assert.deepEqual(parseSalesforceDomain(input), { origin, kind }, input);
    }
  });

  it("refuses a path, a query, credentials, and plain http to anything but a loopback address", () => {
    for (const [input, problem] of [
      ["https://acme.my.salesforce.com/services/oauth2/token", /without a path/],
      ["acme.my.salesforce.com?x=1", /without a path or query/],
      ["http://acme.my.salesforce.com", /must use https/],
      ["http://10.0.0.5:8443", /must use https/],
      ["https://user:pw@acme.my.salesforce.com", /user name or password/],
      ["ftp://acme.my.salesforce.com", /https URL/],
      ["not a host", /not a host name or URL/],
    ] as const) {
      const parsed = parseSalesforceDomain(input);
      assert.ok("problem" in parsed, input);
      assert.match(parsed.problem, problem, input);
    }
  });
});

describe("target settings", () => {
  it("name the setting at fault, with its index, for a bad value", () => {
    const errors = targetSettingErrors(
      fields({
        CLIENT_ID: "x",
        SALESFORCE_DOMAIN: "https://acme.my.salesforce.com/path",
        CREATE_USERS: "yes",
      }),
    );
    assert.deepEqual(errors, [
      {
        field: "outboundProvision.targetSettings[1] (SALESFORCE_DOMAIN)",
        message: "must be a host or an origin, without a path or query (e.g. acme.my.salesforce.com)",
      },
      { field: "outboundProvision.targetSettings[2] (CREATE_USERS)", message: "must be true or false" },
    ]);
  });

  it("refuse an unknown AUTH_METHOD and a mistyped name, suggesting the right one", () => {
    const errors = targetSettingErrors(
      fields({ AUTH_METHOD: "PASSWORD", CLIENT_SECRT: "s", Colour: "blue" }),
    );
    assert.deepEqual(
      errors.map((e) => `${e.field}: ${e.message}`),
      [
        "outboundProvision.targetSettings[0] (AUTH_METHOD): must be one of REFRESH_TOKEN, CLIENT_CREDENTIALS, JWT_BEARER",
        "outboundProvision.targetSettings[1] (CLIENT_SECRT): is not a setting of the Salesforce connector; did you mean CLIENT_SECRET?",
        "outboundProvision.targetSettings[2] (Colour): is not a setting of the Salesforce connector",
      ],
    );
  });

  it("refuse the client credentials flow on the login host, where Salesforce never serves it", () => {
    const errors = targetSettingErrors(fields({ ...complete, SALESFORCE_DOMAIN: "login.salesforce.com" }));
    assert.equal(errors[0]?.field, "outboundProvision.targetSettings (SALESFORCE_DOMAIN)");
    assert.match(errors[0]?.message ?? "", /only on your My Domain/);
  });

  it("check ids, the API version and permission set management", () => {
    const errors = targetSettingErrors(
      fields({ ACCOUNT_ID: "00e000000000001", PROFILE_ID: "00e000000000001AAA", API_VERSION: "20.0" }),
    );
    assert.deepEqual(
      errors.map((e) => e.field),
      [
        "outboundProvision.targetSettings[0] (ACCOUNT_ID)",
        "outboundProvision.targetSettings[2] (API_VERSION)",
      ],
    );
    for (const value of ["Overwrite permission sets in Salesforce", "OVERWRITE", "merge"]) {
      assert.deepEqual(targetSettingErrors(fields({ PERMISSION_SET_MANAGEMENT: value })), [], value);
    }
    assert.equal(targetSettingErrors(fields({ PERMISSION_SET_MANAGEMENT: "Replace" })).length, 1);
  });

  it("list what the AUTH_METHOD cannot work without, counting a sealed secret as given", () => {
    assert.deepEqual(
      missingTargetSettings([
        { name: "CLIENT_ID", value: "" },
        { name: "CLIENT_SECRET", encryptedValue: "v1.x" },
      ]).map((e) => e.field),
      [
        "outboundProvision.targetSettings (CLIENT_ID)",
        "outboundProvision.targetSettings (OAUTH_REFRESH_TOKEN)",
      ],
    );
    assert.deepEqual(
      missingTargetSettings(fields({ AUTH_METHOD: "JWT_BEARER", CLIENT_ID: "x" })).map((e) => e.field),
      [
        "outboundProvision.targetSettings (JWT_USERNAME)",
        "outboundProvision.targetSettings (JWT_SIGNING_CERTIFICATE)",
      ],
    );
    assert.deepEqual(missingTargetSettings(fields(complete)), []);
  });
});

describe("parseSalesforceTarget", () => {
  it("types complete settings, with PingFederate's defaults for the options", () => {
    const target = parseSalesforceTarget(
      fields({
        ...complete,
        PERMISSION_SET_MANAGEMENT: "Overwrite permission sets in Salesforce",
        FREEZE_USER_FLAG: "TRUE",
      }),
      reveal,
    );
    assert.deepEqual(target, {
      domain: { origin: "https://acme.my.salesforce.com", kind: "my-domain" },
      authMethod: "CLIENT_CREDENTIALS",
      clientId: "3MVG9.consumer.key",
      clientSecret: "consumer-secret",
      refreshToken: undefined,
      jwt: undefined,
      apiVersion: "66.0",
      enableCommunities: false,
      createUsers: true,
      updateUsers: true,
      disableUsers: true,
      provisionDisabledUsers: true,
      freezeUsers: true,
      permissionSetManagement: "OVERWRITE",
      accountId: undefined,
      profileId: undefined,
    });
  });

  it("takes a PingFederate export as it is: refresh token, login host, no AUTH_METHOD", () => {
    const target = parseSalesforceTarget(
      fields({
        CLIENT_ID: "3MVG9test.client.id",
        CLIENT_SECRET: "s",
        OAUTH_ACCESS_TOKEN: "a",
        OAUTH_REFRESH_TOKEN: "r",
        PERMISSION_SET_MANAGEMENT: "Merge with permission sets in Salesforce",
      }),
      reveal,
    );
    assert.equal(target.authMethod, "REFRESH_TOKEN");
    assert.equal(target.domain.origin, "https://login.salesforce.com");
    assert.equal(target.refreshToken, "r");
    assert.equal(target.permissionSetManagement, "MERGE");
  });

  it("defaults the JWT audience from the domain", () => {
    const jwt = (domain: string) =>
      parseSalesforceTarget(
        fields({
          SALESFORCE_DOMAIN: domain,
          AUTH_METHOD: "JWT_BEARER",
          CLIENT_ID: "c",
          JWT_USERNAME: "api@acme.com",
          JWT_SIGNING_CERTIFICATE: "jwt-key",
        }),
        reveal,
      ).jwt?.audience;
    assert.equal(jwt("acme.my.salesforce.com"), "https://login.salesforce.com");
    assert.equal(jwt("acme--uat.sandbox.my.salesforce.com"), "https://test.salesforce.com");
    assert.equal(jwt("http://127.0.0.1:8443"), "http://127.0.0.1:8443");
  });

  it("throws PROV_TARGET_INCOMPLETE naming what is missing, and CONN_INVALID for a bad value", () => {
    throwsCode(
      () =>
        parseSalesforceTarget(
          fields({ AUTH_METHOD: "CLIENT_CREDENTIALS", SALESFORCE_DOMAIN: "acme" }),
          reveal,
        ),
      "PROV_TARGET_INCOMPLETE",
      /^outboundProvision\.targetSettings \(CLIENT_ID\): is required when AUTH_METHOD is CLIENT_CREDENTIALS \(and 1 more\)$/,
    );
    throwsCode(
      () => parseSalesforceTarget(fields({ ...complete, AUTH_METHOD: "SAML" }), reveal),
      "CONN_INVALID",
    );
  });
});
