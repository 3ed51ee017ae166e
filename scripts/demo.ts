/**
 * `npm run demo` (= `portico demo`): Portico, the Salesforce emulator and a sample directory,
 * wired together as an admin would wire a real org — from scratch on each start.
 *
 * The demo is configured by DEMO_* variables only. It never reads PORTICO_* (a real server's
 * data dir, database, master key or admin password), and it empties only a data dir it created
 * itself (see src/cli/demo-setup.ts). Ctrl-C or SIGTERM stops it; so does the exit of the
 * `portico demo` process that started it.
 *
 * With `--ldap`, the people live in OpenLDAP instead: a private slapd on DEMO_LDAP_PORT
 * (scripts/demo-ldap.ts), which the sign-in form and the channel use, stopped with the demo.
 */
import { join } from "node:path";
import { createEmulator } from "../emulator/salesforce/app.ts";
import { demoSettings, ignoredVariableNotices, prepareDemoDataDir } from "../src/cli/demo-setup.ts";
import { describeFailure } from "../src/cli/io.ts";
import { checkListenTargets, explainListenError, type ListenTarget } from "../src/cli/listen.ts";
import { composeServer } from "../src/compose.ts";
import { parseConfig } from "../src/config/schema.ts";
import { createLogger } from "../src/logger.ts";
import { defaultBuiltinMapping } from "../src/provisioning/model/channel-config.ts";
import {
  addGraceCommand,
  type DemoDirectory,
  type DemoPerson,
  demoLdap,
  demoLdapMapping,
  startDemoDirectory,
  wireDemoDirectory,
  writeGraceLdif,
} from "./demo-ldap.ts";
import { requireSlapd } from "./slapd.ts";

const host = "127.0.0.1";
const adminPassword = "demo-admin-password";
const userPassword = "demo-password-1";

const target = (port: number, variable: string): ListenTarget => ({
  port,
  host,
  portVariable: variable,
  hostVariable: variable,
});

const listen = async <T>(work: () => Promise<T>, at: ListenTarget): Promise<T> => {
  try {
    return await work();
  } catch (error) {
    throw explainListenError(at, error);
  }
};

/** What runs, to stop in reverse order: on Ctrl-C, SIGTERM or disconnect, and when starting fails. */
const running: (() => Promise<unknown>)[] = [];
const stopAll = async () => {
  for (const stop of running.splice(0).reverse()) await stop().catch(() => {});
};

const main = async (): Promise<void> => {
  const ldap = process.argv.slice(2).includes("--ldap");
  // First: without slapd there is no LDAP demo, and nothing is touched.
  if (ldap) requireSlapd();
  const settings = demoSettings(process.env, process.cwd());
  for (const line of ignoredVariableNotices(process.env, settings)) process.stderr.write(`${line}\n`);
  const targets = {
    runtime: target(settings.runtimePort, "DEMO_RUNTIME_PORT"),
    admin: target(settings.adminPort, "DEMO_ADMIN_PORT"),
    emulator: target(settings.emulatorPort, "DEMO_EMULATOR_PORT"),
    ldap: target(settings.ldapPort, "DEMO_LDAP_PORT"),
  };
  // Before the data dir is touched: a port in use must not cost the previous demo's data.
  await checkListenTargets([
    targets.runtime,
    targets.admin,
    targets.emulator,
    ...(ldap ? [targets.ldap] : []),
  ]);
  prepareDemoDataDir(settings.dataDir);

  const emulator = createEmulator({});
  const emulatorUrl = await listen(() => emulator.listen(settings.emulatorPort, host), targets.emulator);
  running.push(() => emulator.close());
  const org = (await (await fetch(`${emulatorUrl}/_emulator/org`)).json()) as {
    orgId15: string;
    adminUsername: string;
    clientId: string;
    clientSecret: string;
  };
  // The sample directory: people in the group the channel provisions into the org.
  const people = demoPeople(orgDomain(org.adminUsername));
  let directory: DemoDirectory | undefined;
  if (ldap) {
    directory = await startDemoDirectory(settings.ldapPort, people);
    running.push(directory.stop);
  }
  const porticoUrl = `http://${host}:${settings.runtimePort}`;
  // Only the demo's own values: nothing from the environment reaches the configuration.
  const config = parseConfig(
    {
      PORTICO_DATA_DIR: settings.dataDir,
      PORTICO_BASE_URL: porticoUrl,
      PORTICO_ADMIN_PASSWORD: adminPassword,
      PORTICO_LOG_LEVEL: "warn",
    },
    settings.dataDir,
  );
  let adminUrl = "";
  const server = await composeServer(config, {
    logger: createLogger(config.logLevel),
    provisioning: true,
    beforeBootstrap: async (apps) => {
      await listen(() => apps.runtimeApp.listen({ port: settings.runtimePort, host }), targets.runtime);
      adminUrl = await listen(() => apps.adminApp.listen({ port: settings.adminPort, host }), targets.admin);
    },
  });
  running.push(() => server.close());

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await stopAll();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
  // Started by `portico demo` with an IPC channel: its end means that process has gone.
  process.on("disconnect", () => void stop());

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
  await admin("POST", "/directory/users", {
    uid: "integration",
    password: userPassword,
    mail: org.adminUsername,
    givenName: "Ivy",
    sn: "Integration",
  });
  if (!directory) {
    for (const person of people)
      await admin("POST", "/directory/users", { ...person, password: userPassword });
    await admin("POST", "/directory/groups", { cn: "salesforce-users", members: people.map((p) => p.uid) });
  }
  const channel = directory
    ? {
        name: "LDAP to Salesforce",
        channelSource: await wireDemoDirectory(admin, directory),
        attributeMapping: demoLdapMapping(),
      }
    : {
        name: "Directory to Salesforce",
        channelSource: {
          dataSource: { id: "builtin" },
          userSourceLocation: { groupDN: "cn=salesforce-users" },
        },
        attributeMapping: defaultBuiltinMapping(),
      };
  // The connection from the org's metadata, with its provisioning target and one channel: the
  // directory's salesforce-users group, with the default mapping.
  await admin("POST", "/idp/spConnections", {
    ...converted.connection,
    id: "demo-org",
    name: "Demo org (emulated)",
    active: true,
    outboundProvision: {
      type: "SalesforceProvisioner",
      targetSettings: [
        { name: "SALESFORCE_DOMAIN", value: emulatorUrl },
        { name: "AUTH_METHOD", value: "CLIENT_CREDENTIALS" },
        { name: "CLIENT_ID", value: org.clientId },
        { name: "CLIENT_SECRET", value: org.clientSecret },
      ],
      channels: [{ ...channel, active: true }],
    },
  });

  const partner = encodeURIComponent(converted.connection.entityId);
  const domain = orgDomain(org.adminUsername);
  const grace = join(settings.dataDir, "grace.ldif");
  if (directory) await writeGraceLdif(grace, `grace@${domain}`);
  process.stdout.write(
    [
      "Portico demo",
      `  Portico console   ${adminUrl}/console   (sign in as admin / ${adminPassword}: the connection, its channel and the org's users are there)`,
      `  Portico runtime   ${porticoUrl}`,
      `  Portico admin API ${adminUrl}/pf-admin-api/v1   (admin / ${adminPassword})`,
      `  Salesforce org    ${emulatorUrl}   (emulated; org ${org.orgId15})`,
      ...(directory
        ? [
            `  LDAP directory    ${directory.url}   (OpenLDAP, base ${demoLdap.baseDn}; ${demoLdap.adminDn} / ${demoLdap.adminPassword})`,
          ]
        : []),
      "",
      // One link to open: the console and the org's sign-in share the browser (distinct cookies).
      "  Sign in to the org through Portico, in the same browser as the console:",
      `    open          ${porticoUrl}/idp/startSSO.ping?PartnerSpId=${partner}`,
      `    and sign in as "integration" with the password ${userPassword} (IdP-initiated SSO)`,
      `    SP-initiated: ${emulatorUrl}/saml/login?so=${org.orgId15}`,
      `    Sign out:     ${porticoUrl}/idp/startSLO.ping`,
      `  What the org checked: ${emulatorUrl}/_emulator/sso/validations`,
      ...(directory
        ? [
            `  LDAP users sign in the same way: "${people[0]?.uid}" (or ${people
              .slice(1)
              .map((p) => p.uid)
              .join(", ")}) with the LDAP password ${demoLdap.userPassword}`,
          ]
        : []),
      "",
      `  Provisioning: ${people.length} people in the ${directory ? "LDAP" : "directory"} group salesforce-users go into the org within seconds.`,
      `    Salesforce users:  ${emulatorUrl}/_emulator/records/User`,
      ...(directory
        ? [
            "    Add one and watch it appear (another terminal; LDAP is read every 10 s; ldapmodify is in ldap-utils):",
            `      ${addGraceCommand(directory, grace)}`,
          ]
        : [
            "    Add one and watch it appear (another terminal):",
            `      export PORTICO_ADMIN_URL=${adminUrl} PORTICO_ADMIN_PASSWORD=${adminPassword}`,
            `      npx portico users add grace --mail grace@${domain} --sn Hopper --group salesforce-users`,
          ]),
      "    Each of them signs in through SSO too, with the same password.",
      "",
      `  Ctrl-C stops the demo; its data in ${settings.dataDir} is removed on the next start.`,
      "",
    ].join("\n"),
  );
};

/** The org's username domain, so provisioned usernames look like the org's own. */
const orgDomain = (adminUsername: string): string => adminUsername.slice(adminUsername.indexOf("@") + 1);

const demoPeople = (domain: string): (DemoPerson & { department: string })[] =>
  [
    ["ada", "Ada", "Lovelace", "Engineering"],
    ["alan", "Alan", "Turing", "Research"],
    ["katherine", "Katherine", "Johnson", "Flight Research"],
    ["linus", "Linus", "Torvalds", "Engineering"],
    ["margaret", "Margaret", "Hamilton", "Software"],
  ].map(([uid = "", givenName = "", sn = "", department = ""]) => ({
    uid,
    mail: `${uid}@${domain}`,
    givenName,
    sn,
    department,
  }));

try {
  await main();
} catch (error) {
  await stopAll();
  // One line, as the CLI reports errors: a port in use or a refused data dir is not a crash.
  const failure = describeFailure(error, { json: false });
  process.stderr.write(failure.text.replace(/^portico: /, "portico demo: "));
  process.exit(failure.exitCode);
}
