import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { throwsCode } from "../../test/support/errors.ts";
import { newKdfBudget, pkcs12Kdf, pkcs12Limits, spendIterations } from "./pkcs12-kdf.ts";

describe("PKCS#12 key-derivation limits", () => {
  it("accepts up to 600,000 iterations a derivation and refuses more, or none", () => {
    assert.equal(pkcs12Limits.iterationsPerDerivation, 600_000);
    assert.equal(spendIterations(newKdfBudget(), 600_000, "the MAC"), 600_000);
    throwsCode(
      () => spendIterations(newKdfBudget(), 600_001, "the MAC"),
      "KEY_PKCS12_INVALID",
      /600001.*the MAC.*600000/,
    );
    for (const count of [0, -1, 1.5]) {
      throwsCode(
        () => spendIterations(newKdfBudget(), count, "the MAC"),
        "KEY_PKCS12_INVALID",
        /at most 600000/,
      );
    }
  });

  it("refuses a file whose derivations add up to more than 2,000,000 iterations", () => {
    const budget = newKdfBudget();
    for (const what of ["the MAC", "the certificates", "the key"]) spendIterations(budget, 600_000, what);
    throwsCode(
      () => spendIterations(budget, 600_000, "the key's IV"),
      "KEY_PKCS12_INVALID",
      /2400000 by the key's IV.*at most 2000000 per file/,
    );
    assert.equal(budget.spent, 1_800_000, "the refused derivation is not charged");
  });
});

describe("pkcs12Kdf", () => {
  it("lets the event loop turn while it derives a key, so sign-ins go on during an import", async () => {
    let turns = 0;
    let deriving = true;
    const count = () => {
      if (!deriving) return;
      turns += 1;
      setImmediate(count);
    };
    setImmediate(count);
    await pkcs12Kdf("password", Buffer.alloc(8, 1), 1, 20_000, 24);
    deriving = false;
    assert.ok(turns >= 10, `the event loop turned ${turns} times during 20,000 iterations`);
  });

  it('derives the well-known PKCS#12 test vector (password "smeg", one iteration): key and IV', async () => {
    const salt = Buffer.from("0a58cf64530d823f", "hex");
    assert.equal(
      (await pkcs12Kdf("smeg", salt, 1, 1, 24)).toString("hex"),
      "8aaae6297b6cb04642ab5b077851284eb7128f1a2a7fbca3",
    );
    assert.equal((await pkcs12Kdf("smeg", salt, 2, 1, 8)).toString("hex"), "79993dfe048d3b76");
  });
});
