import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { binaryValue, formatGuid, formatSid } from "./binary.ts";

describe("binary LDAP attributes", () => {
  it("prints objectGUID in Microsoft's mixed byte order", () => {
    // The bytes AD returns for {4b3b3b5c-5e6f-4a1b-8c2d-0123456789ab}.
    const bytes = Buffer.from("5c3b3b4b6f5e1b4a8c2d0123456789ab", "hex");
    assert.equal(formatGuid(bytes), "4b3b3b5c-5e6f-4a1b-8c2d-0123456789ab");
    assert.equal(binaryValue("objectGUID", bytes), "4b3b3b5c-5e6f-4a1b-8c2d-0123456789ab");
  });

  it("prints objectSid as S-1-5-21-…", () => {
    // S-1-5-21-3623811015-3361044348-30300820-1013, as MS-DTYP encodes it.
    const bytes = Buffer.from("010500000000000515000000c7f7fed77c7755c8945ace01f5030000", "hex");
    assert.equal(formatSid(bytes), "S-1-5-21-3623811015-3361044348-30300820-1013");
    assert.equal(binaryValue("objectsid", bytes), "S-1-5-21-3623811015-3361044348-30300820-1013");
  });

  it("falls back to base64 for other attributes and malformed values", () => {
    assert.equal(binaryValue("jpegPhoto", Buffer.from([1, 2, 3])), "AQID");
    assert.equal(formatGuid(Buffer.from([1, 2, 3])), "AQID");
    assert.equal(formatSid(Buffer.from([1, 5, 0])), "AQUA");
  });
});
