import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isSecretFieldName } from "./sp-connection.ts";

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
