import { type Command, InvalidArgumentError, Option } from "commander";
import { AppError } from "../../lib/errors.ts";
import type { CliIo } from "../io.ts";
import {
  type ConnectionOptions,
  clientFor,
  commandGroup,
  isObject,
  type JsonObject,
  printJson,
  text,
  usageError,
  withConnectionOptions,
} from "./common.ts";

type TestOptions = ConnectionOptions & {
  partner: string;
  subject?: string | undefined;
  adminUser?: string | undefined;
  acsIndex?: number | undefined;
  raw?: boolean | undefined;
  json?: boolean | undefined;
  allowUsableAssertion?: boolean | undefined;
};

const afterHelp = `
The Response is built exactly as for a real sign-in and checked as Salesforce would check it, but
the one printed is signed with a throwaway key made for this test, so no SP that trusts Portico
accepts it: the checks ran on a copy signed with the connection's key, which is not shown. With
--allow-usable-assertion the printed Response is signed with the connection's key and signs the
user in if posted to the SP before it expires; only an ADMIN account signed in with its password
(not an API token) may ask, and the audit log records it (sso.test.usableAssertion) with the user.
Nothing is posted and no session is created.

Exit status: 0 when every check passes, 1 when a check fails (or the test cannot run), 2 on a
usage error.
`;

// Values come from the directory and the connection: a control character (ESC, or a C1 code such
// as CSI, which XML 1.0 allows) must not reach the terminal as one.
// biome-ignore lint/suspicious/noControlCharactersInRegex: replacing control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
const printable = (value: string): string =>
  value.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);

const objectAt = (value: unknown, key: string): JsonObject =>
  isObject(value) && isObject(value[key]) ? (value[key] as JsonObject) : {};

const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

const acsIndex = (value: string): number => {
  if (!/^[0-9]{1,5}$/.test(value)) throw new InvalidArgumentError("It must be a whole number from 0.");
  return Number(value);
};

/** Label/value lines; a value with several lines continues under the first. */
const fields = (rows: readonly (readonly [string, readonly string[]])[]): string => {
  const width = Math.max(...rows.map(([label]) => label.length)) + 2;
  return rows
    .map(([label, values]) =>
      (values.length === 0 ? ["-"] : values)
        .map((value, i) => `  ${(i === 0 ? label : "").padEnd(width)}${value}`)
        .join("\n"),
    )
    .join("\n");
};

const summaryText = (result: JsonObject): string => {
  const summary = objectAt(result, "summary");
  const assertion = objectAt(summary, "assertion");
  const encrypted = assertion.encrypted === true;
  const hidden = encrypted ? "(encrypted for the SP)" : "-";
  const confirmation = objectAt(assertion, "subjectConfirmation");
  const signed = list(summary.signatures)
    .filter(isObject)
    .map((s) => `${text(s.on)}${s.verified === true ? "" : " (does not verify)"}`);
  const attributes = list(assertion.attributes)
    .filter(isObject)
    .map(
      (a) =>
        `${text(a.name)}: ${list(a.values)
          .map((v) => text(v, '""'))
          .join(", ")}`,
    );
  const window =
    assertion.notOnOrAfter === undefined || assertion.notOnOrAfter === null
      ? hidden
      : `${text(assertion.notBefore)} to ${text(assertion.notOnOrAfter)}`;
  return fields([
    ["Issuer", [text(summary.issuer)]],
    ["NameID", [text(assertion.nameId, hidden)]],
    ["NameID format", [text(assertion.nameIdFormat, hidden)]],
    ["Audience", list(assertion.audiences).map((a) => text(a))],
    ["Recipient", [text(confirmation.recipient, hidden)]],
    ["Destination", [text(summary.destination)]],
    ["Valid", [window]],
    [
      "Signed",
      signed.length === 0
        ? ["nothing"]
        : [`${signed.join(", ")}${result.usable === true ? "" : ", with the throwaway key"}`],
    ],
    ["Attributes", attributes.length === 0 ? [encrypted ? hidden : "(none)"] : attributes],
  ]);
};

const checksText = (checks: readonly JsonObject[]): string =>
  checks
    .map((c) => {
      const line = `  ${c.ok === true ? "✔" : "✘"} ${text(c.name)}: ${text(c.detail)}`;
      return typeof c.warning === "string" ? `${line}\n    ⚠ ${c.warning}` : line;
    })
    .join("\n");

/** The Salesforce JIT attributes the user would send, when the connection sends any. */
const jitText = (result: JsonObject): string[] => {
  if (!isObject(result.jit)) return [];
  const attributes = list(result.jit.attributes)
    .filter(isObject)
    .map((a) => [text(a.name), list(a.values).map((v) => text(v, '""'))] as [string, string[]]);
  const missing = list(result.jit.missing).map((m) => text(m));
  return [
    "Just-in-Time provisioning (what Salesforce creates or updates the user from)",
    fields([...attributes, ...(missing.length === 0 ? [] : [["Missing", missing] as [string, string[]]])]),
    "",
  ];
};

/** Which of the sign-in form's validators found the user, and what the ones before it said. */
const foundByText = (result: JsonObject): string => {
  const found = objectAt(result, "foundBy");
  const store = objectAt(found, "dataStore");
  const where =
    store.id === undefined ? text(found.name) : `${text(found.name)}, data store ${text(store.id)}`;
  const before = list(result.searched)
    .filter(isObject)
    .filter((s) => s.outcome !== "FOUND")
    .map(
      (s) =>
        `${text(s.validator)} ${s.outcome === "UNAVAILABLE" ? `unavailable (${text(s.code)})` : "not found"}`,
    );
  return `Found by the credential validator ${text(found.validator)} (${where})${before.length === 0 ? "" : `; before it: ${before.join(", ")}`}.`;
};

const print = (io: CliIo, result: JsonObject, raw: boolean): void => {
  const connection = objectAt(result, "connection");
  const checks = list(result.checks).filter(isObject);
  const failed = checks.filter((c) => c.ok !== true).length;
  const out = [
    `SAML Response for user "${text(result.user)}" from connection "${text(connection.name)}" (${text(connection.entityId)}), for ${text(result.acsUrl)}:`,
    "",
    raw ? text(result.xml) : text(result.prettyXml),
    "",
    raw
      ? "(The exact signed bytes.)"
      : "(Indented for reading, which breaks its signatures; --raw prints the signed bytes.)",
    text(result.notice),
    foundByText(result),
    "",
    "Summary",
    summaryText(result),
    "",
    ...jitText(result),
    "Checks",
    checksText(checks),
    "",
    failed === 0
      ? `All ${checks.length} checks pass.`
      : `${failed} of ${checks.length} check${checks.length === 1 ? "" : "s"} fail${failed === 1 ? "s" : ""}.`,
    "",
  ].join("\n");
  io.stdout(printable(out));
};

export const registerSsoCommands = (program: Command, io: CliIo): void => {
  const group = commandGroup(program, "sso", "browser SSO tools");

  const test = group
    .command("test")
    .description(
      "build the SAML Response a user would get from an SP connection, print it decoded, and check it as Salesforce would (issuer, audience, recipient, NameID, validity window, signature); the user is found through the sign-in form's credential validators in order (built-in directory, LDAP)",
    )
    .requiredOption("--partner <entityId>", "the SP connection's entity ID")
    .option(
      "--subject <uid>",
      "the user to test, as they would type it on the sign-in form (the admin account is --user, as on every command)",
    )
    .option("--acs-index <n>", "the Assertion Consumer Service by index (default: the default ACS)", acsIndex)
    .option("--raw", "print the exact signed XML instead of an indented copy")
    .option(
      "--allow-usable-assertion",
      "sign the printed Response with the connection's key, so that it signs the user in (ADMIN accounts only; audited)",
    )
    .option("--json", "print the API's JSON")
    // The directory user was --user and the admin --admin-user before: refuse the old spelling
    // rather than read `--user ada` as the admin account "ada".
    .addOption(new Option("--admin-user <name>").hideHelp());
  withConnectionOptions(test)
    .addHelpText("after", afterHelp)
    .action(async (options: TestOptions) => {
      if (options.adminUser !== undefined) {
        throw usageError(
          "sso test takes the admin account as --user (as every command does), no longer --admin-user; the directory user is --subject <uid>",
        );
      }
      if (options.subject === undefined) {
        throw usageError(
          options.user === undefined
            ? "name the directory user to test with --subject <uid>"
            : `name the directory user to test with --subject <uid>; --user names the admin account (did you mean --subject ${options.user}?)`,
        );
      }
      const result = await clientFor(io, options).post<JsonObject>("/sso/test", {
        partnerSpId: options.partner,
        uid: options.subject,
        ...(options.acsIndex === undefined ? {} : { acsIndex: options.acsIndex }),
        ...(options.allowUsableAssertion === true ? { allowUsableAssertion: true } : {}),
      });
      if (options.json) printJson(io, result);
      else print(io, result, options.raw === true);
      if (result.ok !== true) {
        const failed = list(result.checks)
          .filter(isObject)
          .filter((c) => c.ok !== true)
          .map((c) => text(c.name));
        throw new AppError("CLI_SSO_TEST_FAILED", {
          message: `failing checks: ${printable(failed.join(", "))}`,
        });
      }
    });
};
