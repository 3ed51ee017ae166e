import type { Command } from "commander";
import type { CliIo } from "../io.ts";
import {
  type ConnectionOptions,
  clientFor,
  isObject,
  type JsonObject,
  pathId,
  printJson,
  text,
  withConnectionOptions,
} from "./common.ts";

type JsonFlag = ConnectionOptions & { json?: boolean | undefined };

/** `portico provision test|connect`: the Salesforce target of a connection. */
export const registerProvisionTargetCommands = (group: Command, io: CliIo): void => {
  withConnectionOptions(
    group
      .command("test")
      .description(
        "test a connection's Salesforce target: a new token, the API version, the API user's permissions",
      ),
  )
    .argument("<connectionId>", "SP connection id")
    .option("--json", "print the API's JSON")
    .action(async (connectionId: string, options: JsonFlag) => {
      const result = await clientFor(io, options).post<JsonObject>(
        `/provisioning/connections/${pathId(connectionId)}/test`,
        undefined,
      );
      if (options.json) return printJson(io, result);
      const user = isObject(result.user) ? result.user : {};
      const permissions = isObject(result.permissions) ? result.permissions : {};
      const certificate = isObject(result.jwtSigningCertificate) ? result.jwtSigningCertificate : undefined;
      io.stdout(
        [
          `Connection "${connectionId}" reaches Salesforce.`,
          `  organization  ${text(result.organizationId)}`,
          `  instance      ${text(result.instanceUrl)} (API ${text(result.apiVersion)})`,
          `  API user      ${text(user.username)} (profile ${text(user.profile)})`,
          `  auth method   ${text(result.authMethod)} at ${text(result.salesforceDomain)}`,
          `  permissions   ${permissions.apiEnabled === true ? "API Enabled" : "no API"}, ${permissions.manageUsers === true ? "Manage Users" : "no Manage Users"}`,
          ...(certificate === undefined
            ? []
            : [
                `  JWT certificate  key pair ${text(certificate.keyPairId)}, SHA-256 ${text(certificate.sha256Fingerprint)}` +
                  ` (portico keys export-cert ${text(certificate.keyPairId)})`,
              ]),
          "",
        ].join("\n"),
      );
    });

  withConnectionOptions(
    group
      .command("connect")
      .description("Connect to Salesforce: print the URL that gets the connection its OAuth tokens"),
  )
    .argument("<connectionId>", "SP connection id")
    .option("--json", "print the API's JSON")
    .action(async (connectionId: string, options: JsonFlag) => {
      const started = await clientFor(io, options).post<JsonObject>(
        `/provisioning/connections/${pathId(connectionId)}/oauth/start`,
        undefined,
      );
      if (options.json) return printJson(io, started);
      io.stdout(
        [
          `Callback URL to register in the connected app: ${text(started.redirectUri)}`,
          `Open this URL in a browser signed in to Salesforce as the API user (valid until ${text(started.expiresAt)}):`,
          text(started.authorizeUrl),
          "",
        ].join("\n"),
      );
    });
};
