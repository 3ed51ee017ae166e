import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { AppError, errorCatalogue } from "./errors.ts";
import { renderErrorsDoc } from "./errors-doc.ts";

describe("error catalogue", () => {
  it("docs/errors.md matches the code (run npm run docs:errors)", () => {
    assert.equal(readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8"), renderErrorsDoc());
  });

  it("gives every code an area prefix and a message", () => {
    for (const [code, spec] of Object.entries(errorCatalogue)) {
      assert.match(
        code,
        /^(CFG|REQ|AUTH|ADMIN|TOKEN|KEY|CERT|CRYPTO|CONN|CONFIG|XML|SAML|STORE|CLI|PROV|DIR|LOGIN|SSO|EXPR|DATASTORE|LDAP|PCV|ADAPTER|CONSOLE|INTERNAL)(_|$)/,
      );
      assert.ok(spec.message.length > 0);
    }
  });

  it("hides the message of server errors and shows client errors", () => {
    assert.equal(new AppError("INTERNAL", { message: "db at 10.0.0.1 said no" }).expose, false);
    assert.equal(new AppError("CONN_INVALID").expose, true);
    assert.equal(new AppError("STORE_UNAVAILABLE").retryable, true);
    // A unique key already taken stays taken: retrying the same write cannot succeed.
    assert.equal(new AppError("STORE_CONFLICT").retryable, false);
  });
});
