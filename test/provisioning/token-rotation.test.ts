import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { AppError } from "../../src/lib/errors.ts";
import { createSalesforceClient } from "../../src/provisioning/salesforce/client.ts";
import { requestToken } from "../../src/provisioning/salesforce/oauth.ts";
import {
  createTokenManager,
  type StoredTokens,
  type TokenPersistence,
} from "../../src/provisioning/salesforce/token-manager.ts";
import { rejectsWithCode } from "../support/errors.ts";
import { refreshTokenFor, type SalesforceEmulator, startSalesforceEmulator } from "../support/salesforce.ts";

/**
 * Refresh-token rotation (salesforce-api.md §1.2c): once Salesforce answers a refresh, the old
 * refresh token is dead, so the new one must be stored before anything uses the new session.
 * The persistence port is where Portico stores it; here it reports when it is called.
 */

describe("a rotated refresh token", () => {
  let sf: SalesforceEmulator;

  before(async () => {
    sf = await startSalesforceEmulator({ rotateRefreshTokens: true });
  });
  after(() => sf.close());

  const clientWith = (persistence: TokenPersistence, configured: string) => {
    const tokens = createTokenManager({
      configuredRefreshToken: configured,
      persistence,
      grant: (refreshToken) =>
        requestToken(
          { origin: sf.url, clientId: sf.org.clientId, clientSecret: sf.org.clientSecret },
          { type: "refresh_token", refreshToken: refreshToken ?? "" },
          { timeoutMs: 10_000 },
        ),
    });
    return createSalesforceClient({ tokens, apiVersion: "66.0" });
  };

  it("is stored before the new access token reaches Salesforce or the caller", async () => {
    const configured = await refreshTokenFor(sf);
    await sf.clearRequests();
    const events: string[] = [];
    let stored: StoredTokens | undefined;
    let release: () => void = () => {};
    let saving: () => void = () => {};
    const saveStarted = new Promise<void>((resolve) => {
      saving = resolve;
    });
    const client = clientWith(
      {
        load: async () => stored,
        save: async (tokens) => {
          events.push(
            tokens.refreshToken !== configured ? "save: the rotated refresh token" : "save: the old one",
          );
          saving();
          await new Promise<void>((resolve) => {
            release = resolve;
          });
          stored = tokens;
          events.push("saved");
        },
      },
      configured,
    );
    const call = client.query("SELECT Id FROM User LIMIT 1").then(() => events.push("call returned"));
    await saveStarted;
    assert.deepEqual(await sf.requests("/services/data"), [], "no API call while the new token is unsaved");
    release();
    await call;
    assert.deepEqual(events, ["save: the rotated refresh token", "saved", "call returned"]);
    assert.equal((await sf.requests("/services/data")).length, 1);
  });

  it("is never used when it cannot be stored: the call fails instead", async () => {
    const configured = await refreshTokenFor(sf);
    await sf.clearRequests();
    const client = clientWith(
      {
        load: async () => undefined,
        save: async () => {
          throw new AppError("STORE_UNAVAILABLE");
        },
      },
      configured,
    );
    await rejectsWithCode(client.query("SELECT Id FROM User LIMIT 1"), "STORE_UNAVAILABLE");
    assert.deepEqual(await sf.requests("/services/data"), [], "the unsaved session was not used");
  });
});
