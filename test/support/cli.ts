import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { CliIo } from "../../src/cli/io.ts";
import { runCli } from "../../src/cli/program.ts";
import { composeServer, type Server } from "../../src/compose.ts";
import { parseConfig } from "../../src/config/schema.ts";
import { generateMasterKey } from "../../src/crypto/secret-box.ts";

export const cliAdminPassword = "cli-test-admin-password-9f8e7d6c5b4a";

export type CliResult = { code: number; stdout: string; stderr: string };

/** Runs `portico …` in-process with captured output; env holds no PORTICO_* unless given. */
export const runPortico = async (
  argv: readonly string[],
  options: { env?: Record<string, string>; cwd?: string; stdin?: string } = {},
): Promise<CliResult> => {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    readStdin: async () => options.stdin ?? "",
  };
  const code = await runCli(argv, io);
  return { code, stdout, stderr };
};

export type CliTestServer = {
  readonly server: Server;
  readonly url: string;
  readonly masterKey: string;
  readonly dataDir: string;
  /** `runPortico` with this server's URL and the admin password in the environment. */
  run(
    argv: readonly string[],
    options?: { env?: Record<string, string>; stdin?: string; cwd?: string },
  ): Promise<CliResult>;
  dispose(): Promise<void>;
};

/** A real Portico on a temp data dir, its admin listener on a free port of 127.0.0.1. */
export const startCliServer = async (options: { masterKey?: string } = {}): Promise<CliTestServer> => {
  const dataDir = mkdtempSync(join(tmpdir(), "portico-cli-"));
  const masterKey = options.masterKey ?? generateMasterKey();
  const config = parseConfig(
    {
      PORTICO_DATA_DIR: dataDir,
      PORTICO_ADMIN_PASSWORD: cliAdminPassword,
      PORTICO_MASTER_KEY: masterKey,
      PORTICO_LOG_LEVEL: "silent",
    },
    dataDir,
  );
  const server = await composeServer(config, {});
  let url: string;
  try {
    url = await server.adminApp.listen({ port: 0, host: "127.0.0.1" });
  } catch (error) {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  return {
    server,
    url,
    masterKey,
    dataDir,
    run: (argv, runOptions = {}) =>
      runPortico(argv, {
        ...runOptions,
        env: { PORTICO_ADMIN_URL: url, PORTICO_ADMIN_PASSWORD: cliAdminPassword, ...runOptions.env },
      }),
    dispose: async () => {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

/** Parses a command's standard output as JSON, failing the test with the output when it is not. */
export const parseJsonOutput = (result: CliResult): Record<string, unknown> => {
  try {
    return JSON.parse(result.stdout) as Record<string, unknown>;
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\n${result.stderr}`);
  }
};

/** A PingFederate-shaped Salesforce connection with a client secret, for create/export/import. */
export const salesforceConnection = (options: {
  id: string;
  entityId: string;
  name: string;
  keyId?: string;
  clientSecret: string;
}): Record<string, unknown> => ({
  id: options.id,
  entityId: options.entityId,
  name: options.name,
  active: false,
  loggingMode: "STANDARD",
  credentials: {
    signingSettings: {
      signingKeyPairRef: { id: options.keyId ?? "default-signing" },
      algorithm: "SHA256withRSA",
      includeCertInSignature: true,
    },
  },
  spBrowserSso: {
    protocol: "SAML20",
    enabledProfiles: ["IDP_INITIATED_SSO", "SP_INITIATED_SSO"],
    incomingBindings: ["POST", "REDIRECT"],
    ssoServiceEndpoints: [
      { binding: "POST", url: `${options.entityId}?so=00D5g000004AbCd`, index: 0, isDefault: true },
      {
        binding: "POST",
        url: "https://acme.my.site.com/customers/login?so=00D5g000004AbCd&sc=0DM5g0000008OKm",
        index: 1,
        isDefault: false,
      },
    ],
    assertionLifetime: { minutesBefore: 5, minutesAfter: 5 },
    spSamlIdentityMapping: "STANDARD",
    attributeContract: {
      coreAttributes: [
        { name: "SAML_SUBJECT", nameFormat: "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified" },
      ],
      extendedAttributes: [],
    },
    adapterMappings: [
      { attributeContractFulfillment: { SAML_SUBJECT: { source: { type: "ADAPTER" }, value: "mail" } } },
    ],
    signResponseAsRequired: true,
  },
  outboundProvision: {
    type: "SalesforceProvisioner",
    targetSettings: [
      { name: "CLIENT_ID", value: "3MVG9.test-client-id" },
      { name: "CLIENT_SECRET", value: options.clientSecret },
    ],
    channels: [],
  },
});
