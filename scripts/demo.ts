/**
 * `npm run demo`: Portico, the Salesforce emulator and a sample directory, wired together as an
 * admin would wire a real org — from scratch in ./data/demo on each start. Ctrl-C stops both.
 */
import { rmSync } from "node:fs";
import { resolve } from "node:path";
import { createEmulator } from "../emulator/salesforce/app.ts";
import { composeServer } from "../src/compose.ts";
import { parseConfig } from "../src/config/schema.ts";
import { createLogger } from "../src/logger.ts";

const env = process.env;
const host = "127.0.0.1";
const runtimePort = Number(env.PORTICO_RUNTIME_PORT ?? 9031);
const adminPort = Number(env.PORTICO_ADMIN_PORT ?? 9999);
const emulatorPort = Number(env.DEMO_EMULATOR_PORT ?? 8443);
const dataDir = resolve(env.PORTICO_DATA_DIR ?? "data/demo");
const adminPassword = env.PORTICO_ADMIN_PASSWORD ?? "demo-admin-password";
const userPassword = "demo-password-1";

rmSync(dataDir, { recursive: true, force: true });
const porticoUrl = `http://${host}:${runtimePort}`;
const config = parseConfig(
  {
    ...env,
    PORTICO_DATA_DIR: dataDir,
    PORTICO_BASE_URL: porticoUrl,
    PORTICO_ADMIN_PASSWORD: adminPassword,
    PORTICO_LOG_LEVEL: env.PORTICO_LOG_LEVEL ?? "warn",
  },
  process.cwd(),
);
const server = await composeServer(config, { logger: createLogger(config.logLevel) });
const emulator = createEmulator({});
const emulatorUrl = await emulator.listen(emulatorPort, host);
await server.runtimeApp.listen({ port: runtimePort, host });
const adminUrl = await server.adminApp.listen({ port: adminPort, host });

const admin = async (method: string, path: string, body?: unknown) => {
  const response = await server.adminApp.inject({
    method: method as "GET",
    url: `/pf-admin-api/v1${path}`,
    headers: {
      authorization: `Basic ${Buffer.from(`admin:${adminPassword}`).toString("base64")}`,
      "x-xsrf-header": "demo",
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  if (response.statusCode >= 400) throw new Error(`${method} ${path}: ${response.body}`);
  return response;
};

const org = (await (await fetch(`${emulatorUrl}/_emulator/org`)).json()) as {
  orgId15: string;
  adminUsername: string;
};
const certificate = (await admin("GET", "/keyPairs/signing/default-signing/certificate")).body;
await fetch(`${emulatorUrl}/_emulator/sso`, {
  method: "PUT",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({
    issuer: config.entityId,
    idpCertificate: certificate,
    identityType: "Username",
    idpLoginUrl: `${porticoUrl}/idp/SSO.saml2`,
    idpLogoutUrl: `${porticoUrl}/idp/SLO.saml2`,
    requestBinding: "HTTP-Redirect",
    signRequests: true,
  }),
});
const metadata = await (await fetch(`${emulatorUrl}/_emulator/sso/metadata`)).text();
const converted = (
  await admin("POST", "/connectionMetadata/convert", {
    connectionType: "SP",
    samlMetadata: Buffer.from(metadata).toString("base64"),
    templateId: "salesforce-provisioner",
  })
).json() as { connection: Record<string, unknown> & { entityId: string } };
await admin("POST", "/idp/spConnections", {
  ...converted.connection,
  id: "demo-org",
  name: "Demo org (emulated)",
  active: true,
});
await admin("POST", "/directory/users", {
  uid: "integration",
  password: userPassword,
  mail: org.adminUsername,
  givenName: "Ivy",
  sn: "Integration",
});
await admin("POST", "/directory/groups", { cn: "salesforce-users", members: ["integration"] });

const partner = encodeURIComponent(converted.connection.entityId);
process.stdout.write(
  [
    "Portico demo",
    `  Portico runtime   ${porticoUrl}`,
    `  Portico admin API ${adminUrl}/pf-admin-api/v1   (admin / ${adminPassword})`,
    `  Salesforce org    ${emulatorUrl}   (emulated; org ${org.orgId15})`,
    "",
    `  Sign in as "integration" with the password ${userPassword}:`,
    `    IdP-initiated: ${porticoUrl}/idp/startSSO.ping?PartnerSpId=${partner}`,
    `    SP-initiated:  ${emulatorUrl}/saml/login?so=${org.orgId15}`,
    `    Sign out:      ${porticoUrl}/idp/startSLO.ping`,
    `  What the org checked: ${emulatorUrl}/_emulator/sso/validations`,
    "",
    `  Ctrl-C stops the demo; its data in ${dataDir} is removed on the next start.`,
    "",
  ].join("\n"),
);

const stop = async () => {
  await server.close();
  await emulator.close();
  process.exit(0);
};
process.on("SIGINT", () => void stop());
process.on("SIGTERM", () => void stop());
