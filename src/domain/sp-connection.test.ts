import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { appliedAttributeMapping, isSecretFieldName, type SpBrowserSso } from "./sp-connection.ts";

describe("isSecretFieldName", () => {
  it("treats any name containing secret, token, password or key, in any case, as a secret", () => {
    for (const name of [
      "CLIENT_SECRET",
      "client_secret",
      "OAUTH_ACCESS_TOKEN",
      "OAUTH_REFRESH_TOKEN",
      "REFRESH_TOKEN",
      "Password",
      "LDAP_BIND_PASSWORD",
      "JWT_PRIVATE_KEY",
      "API_KEY",
      "apiKey",
      "SecretQuestion",
    ]) {
      assert.equal(isSecretFieldName(name), true, name);
    }
  });

  it("leaves ordinary setting names plain", () => {
    for (const name of [
      "CLIENT_ID",
      "ACCOUNT_ID",
      "PROFILE_ID",
      "SALESFORCE_DOMAIN",
      "ENABLE_COMMUNITIES",
      "CREATE_USERS",
      "FREEZE_USER_FLAG",
      "PERMISSION_SET_MANAGEMENT",
    ]) {
      assert.equal(isSecretFieldName(name), false, name);
    }
  });
});

describe("appliedAttributeMapping", () => {
  const rule = (value: string) => ({ SAML_SUBJECT: { source: { type: "ADAPTER" as const }, value } });
  const adapter = (id: string | undefined, value: string) => ({
    ...(id === undefined ? {} : { idpAdapterRef: { id } }),
    attributeContractFulfillment: rule(value),
  });
  const contract = (id: string, value: string) => ({
    authenticationPolicyContractRef: { id },
    attributeContractFulfillment: rule(value),
  });
  const sso = (
    mappings: Pick<SpBrowserSso, "adapterMappings" | "authenticationPolicyContractAssertionMappings">,
  ) => mappings as SpBrowserSso;
  const applied = (s: SpBrowserSso) => {
    const found = appliedAttributeMapping(s);
    return found && [found.path, found.mapping.attributeContractFulfillment.SAML_SUBJECT?.value];
  };

  it("takes the adapter mapping of Portico's sign-in form (htmlform), wherever it is listed", () => {
    assert.deepEqual(
      applied(sso({ adapterMappings: [adapter("kerberos", "upn"), adapter("htmlform", "mail")] })),
      ["spBrowserSso.adapterMappings[1]", "mail"],
    );
  });

  it("falls back to the first adapter mapping when none names the form (PingFederate's adapter ids)", () => {
    assert.deepEqual(
      applied(
        sso({
          adapterMappings: [adapter("HTMLFormPD", "uid"), adapter(undefined, "mail")],
          authenticationPolicyContractAssertionMappings: [contract("c1", "subject")],
        }),
      ),
      ["spBrowserSso.adapterMappings[0]", "uid"],
    );
  });

  it("takes the first policy-contract mapping without adapter mappings (no policy chooses among contracts)", () => {
    assert.deepEqual(
      applied(
        sso({
          adapterMappings: [],
          authenticationPolicyContractAssertionMappings: [contract("c1", "subject"), contract("c2", "mail")],
        }),
      ),
      ["spBrowserSso.authenticationPolicyContractAssertionMappings[0]", "subject"],
    );
    assert.equal(applied(sso({ adapterMappings: [] })), undefined);
  });
});
