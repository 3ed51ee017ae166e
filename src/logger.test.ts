import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import { createLogger } from "./logger.ts";

describe("the logger", () => {
  it("censors OAuth credentials under their RFC 6749 names as well as Portico's", () => {
    let text = "";
    const sink = new Writable({
      write(chunk, _encoding, done) {
        text += chunk.toString();
        done();
      },
    });
    createLogger("info", sink).info(
      {
        response: {
          access_token: "00Dx!access",
          refresh_token: "5Aep.refresh",
          instance_url: "https://acme",
        },
        request: { client_secret: "consumer-secret", code_verifier: "pkce-verifier" },
        session: { accessToken: "00Dx!camel" },
      },
      "token",
    );
    for (const secret of ["00Dx!access", "5Aep.refresh", "consumer-secret", "pkce-verifier", "00Dx!camel"]) {
      assert.equal(text.includes(secret), false, secret);
    }
    assert.match(text, /"instance_url":"https:\/\/acme"/);
  });
});
