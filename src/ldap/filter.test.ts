import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { throwsCode } from "../../test/support/errors.ts";
import {
  escapeFilterValue,
  fillFilterTemplate,
  ldapFilter,
  matchesLdapFilter,
  parseLdapFilter,
} from "./filter.ts";

const ada = {
  uid: ["ada"],
  mail: ["Ada@Acme.example.com"],
  department: ["Engineering"],
  title: ["Principal Engineer"],
  memberOf: ["salesforce-users", "engineering"],
  cn: ["a(b)c*"],
};

describe("LDAP filters (RFC 4515)", () => {
  const cases: [string, boolean][] = [
    ["(uid=ada)", true],
    ["uid=ADA", true],
    ["(uid=bob)", false],
    ["(mail=*@acme.example.com)", true],
    ["(title=*engineer)", true],
    ["(title=principal*)", true],
    ["(title=pr*ci*eng*r)", true],
    ["(title=*manager*)", false],
    ["(title=Principal Engineer*x)", false],
    ["(telephoneNumber=*)", false],
    ["(department=*)", true],
    ["(&(department=Engineering)(memberOf=salesforce-users))", true],
    ["(&(department=Engineering)(memberOf=sales))", false],
    ["(|(department=Sales)(memberOf=engineering))", true],
    ["(!(department=Sales))", true],
    ["(!(|(uid=ada)(uid=bob)))", false],
    ["(cn=a\\28b\\29c\\2a)", true],
    ["(uid>=ab)", true],
    ["(uid<=ab)", false],
    ["(DEPARTMENT~=engineering)", true],
  ];
  for (const [text, expected] of cases) {
    it(`${text} ${expected ? "matches" : "does not match"}`, () => {
      assert.equal(matchesLdapFilter(parseLdapFilter(text), ada), expected);
    });
  }

  const bad: [string, RegExp][] = [
    ["(uid=ada", /missing "\)"|expected "\)"/],
    ["(&)", /needs at least one filter/],
    ["(uid=a(b)", /must be escaped|expected/],
    ["(=ada)", /expected attribute=value/],
    ["(uid=\\zz)", /two-digit hex escape/],
    ["(uid=ada))", /unexpected text/],
    [`${"(!".repeat(40)}(uid=a)${")".repeat(40)}`, /nested too deeply/],
  ];
  for (const [text, message] of bad) {
    it(`refuses ${text.slice(0, 30)} with a message that says where`, () => {
      throwsCode(() => parseLdapFilter(text), "PROV_CONFIG_INVALID", message);
    });
  }

  it("escapes every special character of a value, so pasted text cannot change a filter", () => {
    const hostile = "*)(uid=*))(|(uid=*";
    const filter = parseLdapFilter(`(cn=${escapeFilterValue(hostile)})`);
    assert.deepEqual(filter, { op: "equal", attribute: "cn", value: hostile });
    assert.equal(escapeFilterValue("Müller\\"), "M\\c3\\bcller\\5c");
  });

  it("the ldapFilter tag escapes each interpolated value and nothing else", () => {
    const uid = "*)(uid=*";
    const text = ldapFilter`(&(objectClass=person)(uid=${uid}))`;
    assert.equal(text, "(&(objectClass=person)(uid=\\2a\\29\\28uid=\\2a))");
    assert.deepEqual(parseLdapFilter(text), {
      op: "and",
      filters: [
        { op: "equal", attribute: "objectClass", value: "person" },
        { op: "equal", attribute: "uid", value: uid },
      ],
    });
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: PingFederate's ${name} placeholders, not a template
  it("fills ${name} placeholders escaped, and refuses one without a value", () => {
    assert.equal(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: PingFederate's ${name} placeholders, not a template
      fillFilterTemplate("(sAMAccountName=${username})", { username: "a*" }),
      "(sAMAccountName=a\\2a)",
    );
    throwsCode(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: PingFederate's ${name} placeholders, not a template
      () => fillFilterTemplate("(uid=${user})", { username: "a" }, "DATASTORE_INVALID"),
      "DATASTORE_INVALID",
      /\$\{user\}/,
    );
  });

  it("reports a bad filter under the caller's code", () => {
    throwsCode(() => parseLdapFilter("(uid=a", "DATASTORE_INVALID"), "DATASTORE_INVALID");
  });
});
