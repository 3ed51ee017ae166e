import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { throwsCode } from "../../../test/support/errors.ts";
import { parseXml } from "../../xml/parse.ts";
import { rootElement } from "../../xml/select.ts";
import { MAX_ID_LENGTH, parseDateTime, readId, readVersion } from "./message-fields.ts";

const rootWith = (attributes: string) => rootElement(parseXml(`<m ${attributes}/>`));

describe("parseDateTime", () => {
  it("reads UTC instants with and without fractions, and offsets", () => {
    assert.equal(parseDateTime("2019-10-02T21:57:29.968Z")?.toISOString(), "2019-10-02T21:57:29.968Z");
    assert.equal(parseDateTime("2019-10-02T21:57:29Z")?.toISOString(), "2019-10-02T21:57:29.000Z");
    assert.equal(parseDateTime("2019-10-02T21:57:29.123456789Z")?.toISOString(), "2019-10-02T21:57:29.123Z");
    assert.equal(parseDateTime("2019-10-02T23:57:29+02:00")?.toISOString(), "2019-10-02T21:57:29.000Z");
    assert.equal(parseDateTime(" 2024-02-29T00:00:00Z ")?.toISOString(), "2024-02-29T00:00:00.000Z");
  });

  it("refuses what is not an xs:dateTime with a zone", () => {
    for (const text of [
      "2019-10-02T21:57:29",
      "2019-10-02 21:57:29Z",
      "2023-02-29T00:00:00Z",
      "2019-13-01T00:00:00Z",
      "2019-10-02T24:00:00Z",
      "2019-10-02T21:57:60Z",
      "2019-10-02T21:57:29+15:00",
      "1570053449",
      "",
    ]) {
      assert.equal(parseDateTime(text), undefined, text);
    }
  });
});

describe("readId and readVersion", () => {
  it(`accepts IDs up to ${MAX_ID_LENGTH} characters and refuses longer ones`, () => {
    const id = `_${"a".repeat(MAX_ID_LENGTH - 1)}`;
    assert.equal(readId(rootWith(`ID="${id}"`), "SAML_REQUEST_INVALID"), id);
    throwsCode(() => readId(rootWith(`ID="${id}a"`), "SAML_REQUEST_INVALID"), "SAML_REQUEST_INVALID");
  });

  it("refuses IDs that are not xs:ID, and missing ones, with the code given", () => {
    for (const attributes of ['ID="1abc"', 'ID="a b"', 'ID=""', 'ID="a:b"', ""]) {
      throwsCode(() => readId(rootWith(attributes), "SAML_LOGOUT_INVALID"), "SAML_LOGOUT_INVALID");
    }
  });

  it("accepts Version 2.0 only", () => {
    assert.equal(readVersion(rootWith('Version="2.0"'), "SAML_REQUEST_INVALID"), "2.0");
    throwsCode(
      () => readVersion(rootWith('Version="1.1"'), "SAML_REQUEST_INVALID"),
      "SAML_VERSION_UNSUPPORTED",
    );
    throwsCode(
      () => readVersion(rootWith('Version="2.00"'), "SAML_REQUEST_INVALID"),
      "SAML_VERSION_UNSUPPORTED",
    );
    throwsCode(() => readVersion(rootWith(""), "SAML_REQUEST_INVALID"), "SAML_REQUEST_INVALID");
  });
});
