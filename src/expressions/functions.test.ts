import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compileExpression, evaluateExpression } from "./expression.ts";
import type { Value } from "./values.ts";

const ada = {
  uid: ["ada"],
  sAMAccountName: ["alovelace1815"],
  mail: ["  Ada.Lovelace@Acme.example.com "],
  givenName: ["Ada"],
  sn: ["Lovelace"],
  middleName: [],
  memberOf: ["cn=Sales,ou=groups", "cn=Support,ou=groups"],
  whenCreated: ["20260131094500.0Z"],
  accountExpires: ["133801632000000000"],
  department: ["R&D"],
  displayName: ["Zoë Ørsted-Łukasz"],
};

/** The expression's value for Ada; fails the test on any problem. */
const value = (source: string, attributes: Record<string, readonly string[]> = ada): Value => {
  const compiled = compileExpression(source);
  assert.ok(compiled.ok, compiled.ok ? "" : `${compiled.problem.code}: ${compiled.problem.reason}`);
  const result = evaluateExpression(compiled.expression, attributes);
  assert.ok(result.ok, result.ok ? "" : `${result.problem.code}: ${result.problem.reason}`);
  return result.value;
};

/** The code of the problem evaluating `source` for Ada raises. */
const failure = (source: string): { code: string; reason: string } => {
  const compiled = compileExpression(source);
  assert.ok(compiled.ok, compiled.ok ? "" : `${compiled.problem.code}: ${compiled.problem.reason}`);
  const result = evaluateExpression(compiled.expression, ada);
  assert.ok(!result.ok, `${source} should fail`);
  return result.problem;
};

describe("expression values", () => {
  it("reads attributes by name in any case; a missing one is no value", () => {
    assert.equal(value("[UID]"), "ada");
    assert.equal(value("[uid]"), "ada");
    assert.equal(value("[title]"), null);
    assert.equal(value("[middleName]"), null);
    assert.deepEqual(value("[memberOf]"), ["cn=Sales,ou=groups", "cn=Support,ou=groups"]);
  });

  it("reaches nothing of JavaScript: prototype names are plain missing attributes", () => {
    for (const name of ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf"])
      assert.equal(value(`[${name}]`), null, name);
    assert.equal(value('Coalesce([constructor], "none")'), "none");
    // An attribute really named so (JSON can carry one) is data like any other.
    assert.equal(value("[__proto__]", JSON.parse('{"__proto__": ["x"]}')), "x");
  });

  it("has string, number and boolean literals, with backslash escapes", () => {
    assert.equal(value('"Company \\"Contoso\\" \\\\ done"'), 'Company "Contoso" \\ done');
    assert.equal(value('"a\\tb\\nc"'), "a\tb\nc");
    assert.equal(value("42"), 42);
    assert.equal(value("TRUE"), true);
    assert.equal(value("false"), false);
  });

  it("concatenates with & (a list gives its first value) and compares with = and <>", () => {
    assert.equal(value('[givenName] & " " & [sn]'), "Ada Lovelace");
    assert.equal(value('[memberOf] & "!"'), "cn=Sales,ou=groups!");
    assert.equal(value('[title] & "x"'), "x");
    assert.equal(value('[uid] = "ada"'), true);
    assert.equal(value('[uid] = "ADA"'), false);
    assert.equal(value('[uid] <> "bob"'), true);
    assert.equal(value('([uid] & "1") = "ada1"'), true);
  });
});

describe("expression functions", () => {
  it("Left, Right and Mid count characters, not UTF-16 units; Mid starts at 1", () => {
    assert.equal(value("Left([sAMAccountName], 8)"), "alovelac");
    assert.equal(value("Left([uid], 8)"), "ada");
    assert.equal(value('Left([uid], "2")'), "ad");
    assert.equal(value("Right([sAMAccountName], 4)"), "1815");
    assert.equal(value("Right([uid], 0)"), "");
    assert.equal(value('Mid("héllo😀x", 2, 5)'), "éllo😀");
    assert.equal(value('Left("😀😀", 1)'), "😀");
    assert.equal(value("Left([title], 3)"), null);
  });

  it("Lower, Upper, Trim, StripSpaces and NormalizeDiacritics work on each value", () => {
    assert.equal(value("Lower(Trim([mail]))"), "ada.lovelace@acme.example.com");
    assert.equal(value("ToUpper([givenName])"), "ADA");
    assert.deepEqual(value("Upper([memberOf])"), ["CN=SALES,OU=GROUPS", "CN=SUPPORT,OU=GROUPS"]);
    assert.equal(value('StripSpaces(" a b\tc ")'), "abc");
    assert.equal(value("NormalizeDiacritics([displayName])"), "Zoe Orsted-Lukasz");
    assert.equal(value("Lower([title])"), null);
  });

  it("Replace replaces plain text everywhere, with no patterns", () => {
    assert.equal(value('Replace([department], "&", " and ")'), "R and D");
    assert.equal(value('Replace("a.b.c", ".", "")'), "abc");
    assert.equal(value('Replace("(a+)+$", "(a+)+", "x")'), "x$");
    assert.equal(value('Replace("abc", "", "x")'), "abc");
  });

  it("Append, Join and Split: Join takes every value and skips empty ones", () => {
    assert.equal(value('Append([uid], "@acme.example.com")'), "ada@acme.example.com");
    assert.equal(value('Join(" ", [givenName], [middleName], [sn])'), "Ada Lovelace");
    assert.equal(value('Join(";", [memberOf], "extra")'), "cn=Sales,ou=groups;cn=Support,ou=groups;extra");
    assert.equal(value('Join(",", [title])'), null);
    assert.deepEqual(value('Split("a,b,,c", ",")'), ["a", "b", "", "c"]);
    assert.equal(value('Split("abc", ",")'), "abc");
    assert.deepEqual(value('Split([memberOf], ",")'), ["cn=Sales", "ou=groups", "cn=Support", "ou=groups"]);
  });

  it("First, Item, Count, Length and Contains read lists", () => {
    assert.equal(value("First([memberOf])"), "cn=Sales,ou=groups");
    assert.equal(value("Item([memberOf], 2)"), "cn=Support,ou=groups");
    assert.equal(value("Item([memberOf], 3)"), null);
    assert.equal(value("Count([memberOf])"), 2);
    assert.equal(value("Count([title])"), 0);
    assert.equal(value('Length("😀é")'), 2);
    assert.equal(value('Contains([memberOf], "cn=Support,ou=groups")'), true);
    assert.equal(value('Contains([memberOf], "cn=support,ou=groups")'), false);
  });

  it("IIF, Not, And and Or: true is true, a non-zero number, or text reading true", () => {
    assert.equal(value('IIF([uid] = "ada", "yes", "no")'), "yes");
    assert.equal(value('IIF("TRUE", 1, 2)'), 1);
    assert.equal(value('IIF([title], "yes", "no")'), "no");
    assert.equal(value('IIF(Not(IsPresent([title])), "untitled", [title])'), "untitled");
    assert.equal(value('And(IsPresent([uid]), [uid] = "ada")'), true);
    assert.equal(value('Or([uid] = "bob", Count([memberOf]) = "2")'), true);
  });

  it("IIF, Coalesce, Switch, And and Or evaluate only what they need", () => {
    // The branch not taken would fail (Mid's start counts from 1): it is never evaluated.
    assert.equal(value('IIF(true, "ok", Mid("x", 0, 1))'), "ok");
    assert.equal(value('Coalesce([uid], Mid("x", 0, 1))'), "ada");
    assert.equal(value('And(false, Mid("x", 0, 1))'), false);
    assert.equal(value('Or(true, Mid("x", 0, 1))'), true);
  });

  it("Coalesce takes the first present value; IsPresent and IsNullOrEmpty test for one", () => {
    assert.equal(value('Coalesce([title], [middleName], "", [givenName], "x")'), "Ada");
    assert.equal(value("Coalesce([title], [middleName])"), null);
    assert.equal(value("IsPresent([uid])"), true);
    assert.equal(value('IsPresent("")'), false);
    assert.equal(value("IsNullOrEmpty([title])"), true);
  });

  it("Switch picks the value of the first matching key, else the default", () => {
    const pick = (uid: string) =>
      value('Switch([uid], "Standard User", "ada", "System Administrator", "bob", "Read Only")', {
        uid: [uid],
      });
    assert.equal(pick("ada"), "System Administrator");
    assert.equal(pick("bob"), "Read Only");
    assert.equal(pick("eve"), "Standard User");
  });

  it("FormatDate reads GeneralizedTime, ISO 8601, FILETIME, Unix time and patterns, and writes UTC", () => {
    assert.equal(value('FormatDate([whenCreated], "generalized", "yyyy-MM-dd")'), "2026-01-31");
    assert.equal(
      value('FormatDate("20260131094500+0100", "generalized", "iso")'),
      "2026-01-31T08:45:00.000Z",
    );
    assert.equal(value('FormatDate("2026-01-31T09:45:00-02:30", "iso", "HH:mm")'), "12:15");
    assert.equal(value('FormatDate("31/01/2026", "dd/MM/yyyy", "yyyyMMdd")'), "20260131");
    assert.equal(value('FormatDate("1769852700", "unix", "generalized")'), "20260131094500Z");
    assert.equal(value('FormatDate([accountExpires], "filetime", "yyyy-MM-dd")'), "2025-01-01");
    // AD's "never expires" gives no value, so Coalesce can stand in for it.
    assert.equal(value('Coalesce(FormatDate("9223372036854775807", "filetime", "iso"), "never")'), "never");
    assert.equal(value('FormatDate([title], "iso", "iso")'), null);
  });

  it("function names ignore case, as attribute names do", () => {
    assert.equal(value("left([UID], 1)"), "a");
    assert.equal(value("iif(TRUE, [uid], [sn])"), "ada");
  });
});

describe("expression evaluation errors", () => {
  it("a count that is not a whole number, or is negative, names the function", () => {
    assert.deepEqual(failure('Left([uid], "eight")').code, "EXPR_ARGUMENT_INVALID");
    assert.match(
      failure('Left([uid], "eight")').reason,
      /Left's number of characters must be a whole number/,
    );
    assert.match(failure('Left([uid], "-1")').reason, /must not be negative/);
    assert.match(failure("Mid([uid], 0, 2)").reason, /Mid's start counts from 1/);
    assert.match(failure("Item([memberOf], 0)").reason, /counts from 1/);
  });

  it("a date that does not match its format, or is not a real date, is refused", () => {
    assert.equal(failure('FormatDate("2026-02-30", "yyyy-MM-dd", "iso")').code, "EXPR_ARGUMENT_INVALID");
    assert.match(failure('FormatDate("2026-02-30", "yyyy-MM-dd", "iso")').reason, /not a real date/);
    assert.match(failure('FormatDate("yesterday", "generalized", "iso")').reason, /not a GeneralizedTime/);
    assert.match(
      failure('FormatDate("2026-01-31", "dd/MM/yyyy", "iso")').reason,
      /does not match the format/,
    );
    assert.match(failure('FormatDate("0000-01-01", "yyyy-MM-dd", "iso")').reason, /not a real date/);
    assert.match(
      failure('FormatDate("20260131094500+2500", "generalized", "iso")').reason,
      /no real time zone/,
    );
    assert.equal(value('FormatDate("0050-01-01", "yyyy-MM-dd", "yyyy")'), "0050");
    assert.match(failure('FormatDate("2026", "", "iso")').reason, /needs an input and an output format/);
  });
});
