import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isUnderDn, namingContextOf } from "./dn.ts";

describe("distinguished names", () => {
  it("finds the domain a base DN lies in", () => {
    assert.equal(namingContextOf("OU=People,DC=corp,DC=example,DC=com"), "DC=corp,DC=example,DC=com");
    assert.equal(namingContextOf("ou=people, dc=example, dc=com"), "dc=example,dc=com");
    assert.equal(namingContextOf("DC=corp,DC=example,DC=com"), "DC=corp,DC=example,DC=com");
    assert.equal(namingContextOf("ou=people,o=Example"), "ou=people,o=Example", "no DC: the base DN itself");
  });

  it("tells whether an entry lies under a base DN, whatever the case and spacing", () => {
    const base = "OU=People,DC=corp,DC=example,DC=com";
    assert.equal(isUnderDn("CN=Ada Lovelace,OU=People,DC=corp,DC=example,DC=com", base), true);
    assert.equal(isUnderDn("cn=Ada Lovelace, ou=people, dc=corp, dc=example, dc=com", base), true);
    assert.equal(isUnderDn(base, base), true);
    assert.equal(isUnderDn("CN=Ada Lovelace,OU=Leavers,DC=corp,DC=example,DC=com", base), false);
    assert.equal(isUnderDn("CN=x,OU=OldPeople,DC=corp,DC=example,DC=com", base), false, "a whole RDN only");
    assert.equal(
      isUnderDn("CN=Smith\\, Ada,OU=People,DC=corp,DC=example,DC=com", base),
      true,
      "an escaped comma",
    );
  });
});
