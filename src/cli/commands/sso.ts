import { type Command, InvalidArgumentError } from "commander";
import { CliError, type CliIo } from "../io.ts";
import {
  type ConnectionOptions,
  clientFor,
  commandGroup,
  defaultAdminUrl,
  isObject,
  type JsonObject,
  printJson,
  text,
} from "./common.ts";

type TestOptions = Omit<ConnectionOptions, "user"> & {
  adminUser?: string | undefined;
  partner: string;
  user: string;
  acsIndex?: number | undefined;
  raw?: boolean | undefined;
  json?: boolean | undefined;
};

const exitStatusHelp = `
Exit status: 0 when every check passes, 1 when a check fails (or the test cannot run), 2 on a
usage error. The Response is built and signed exactly as for a real sign-in, but nothing is
posted, no session is created, and only an audit event (sso.test) is recorded.
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
    ["Signed", signed.length === 0 ? ["nothing"] : [signed.join(", ")]],
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
      ? "(The exact signed bytes, as they would be base64-encoded and posted.)"
      : "(Indented for reading, which breaks its signatures; --raw prints the signed bytes.)",
    "",
    "Summary",
    summaryText(result),
    "",
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

  group
    .command("test")
    .description(
      "build the SAML Response a user would get from an SP connection, print it decoded, and check it as Salesforce would (issuer, audience, recipient, NameID, validity window, signature)",
    )
    .requiredOption("--partner <entityId>", "the SP connection's entity ID")
    .requiredOption("--user <uid>", "a user of the built-in directory")
    .option("--acs-index <n>", "the Assertion Consumer Service by index (default: the default ACS)", acsIndex)
    .option("--raw", "print the exact signed XML instead of an indented copy")
    .option("--json", "print the API's JSON")
    // --user names the directory user here (the documented `sso test --user <uid>`), so the admin
    // account, --user on other commands, is --admin-user on this one.
    .option("--url <url>", `admin listener URL (env PORTICO_ADMIN_URL, default ${defaultAdminUrl})`)
    .option("--admin-user <name>", "admin account (env PORTICO_ADMIN_USER, default admin)")
    .option("--password <password>", "admin password (env PORTICO_ADMIN_PASSWORD)")
    .option("--token <token>", "API token, used instead of the password (env PORTICO_API_TOKEN)")
    .addHelpText("after", exitStatusHelp)
    .action(async (options: TestOptions) => {
      const connection = {
        url: options.url,
        user: options.adminUser,
        password: options.password,
        token: options.token,
      };
      const result = await clientFor(io, connection).post<JsonObject>("/sso/test", {
        partnerSpId: options.partner,
        uid: options.user,
        ...(options.acsIndex === undefined ? {} : { acsIndex: options.acsIndex }),
      });
      if (options.json) printJson(io, result);
      else print(io, result, options.raw === true);
      if (result.ok !== true) {
        const failed = list(result.checks)
          .filter(isObject)
          .filter((c) => c.ok !== true)
          .map((c) => text(c.name));
        throw new CliError(`SSO test failed: ${printable(failed.join(", "))}`);
      }
    });
};
