import { createServer } from "node:net";
import { createEmulator } from "../../emulator/salesforce/app.ts";
import type { SpConnection } from "../../src/domain/sp-connection.ts";
import { startTestServer, type TestServer } from "./server.ts";

/** A port the OS says is free now (the runtime's base URL must be known before it listens). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });

export type Federation = {
  portico: TestServer;
  porticoUrl: string;
  emulatorUrl: string;
  org: { orgId: string; orgId15: string; adminUsername: string; instanceUrl: string };
  spEntityId: string;
  userPassword: string;
  emulatorJson<T = unknown>(path: string, init?: RequestInit): Promise<T>;
  dispose(): Promise<void>;
};

/**
 * Portico and the Salesforce emulator on real sockets, wired as an admin would: the emulator's
 * SSO settings name Portico as IdP with its certificate, Portico's connection comes from the
 * emulator's SAMLSP metadata, and the directory has the org's admin user.
 */
export const startFederation = async (
  options: {
    requestBinding?: "HTTP-Redirect" | "HTTP-POST";
    editConnection?: (c: SpConnection) => void;
    /** Converts the metadata with the Salesforce JIT contract (convert's `jit`). */
    jit?: { profile: string };
  } = {},
): Promise<Federation> => {
  const emulator = createEmulator({});
  const emulatorUrl = await emulator.listen(0, "127.0.0.1");
  const port = await freePort();
  const porticoUrl = `http://127.0.0.1:${port}`;
  const portico = await startTestServer({ env: { PORTICO_BASE_URL: porticoUrl } });
  await portico.runtimeApp.listen({ port, host: "127.0.0.1" });

  const emulatorJson = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const response = await fetch(`${emulatorUrl}${path}`, init);
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const org = await emulatorJson<Federation["org"]>("/_emulator/org");
  const certificate = (await portico.request("GET", "/keyPairs/signing/default-signing/certificate")).body;
  await emulatorJson("/_emulator/sso", {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      issuer: porticoUrl,
      idpCertificate: certificate,
      identityType: "Username",
      identityLocation: "SubjectNameId",
      idpLoginUrl: `${porticoUrl}/idp/SSO.saml2`,
      idpLogoutUrl: `${porticoUrl}/idp/SLO.saml2`,
      requestBinding: options.requestBinding ?? "HTTP-Redirect",
      signRequests: true,
    }),
  });
  const metadata = await (await fetch(`${emulatorUrl}/_emulator/sso/metadata`)).text();
  const converted = await portico.request("POST", "/connectionMetadata/convert", {
    connectionType: "SP",
    samlMetadata: Buffer.from(metadata).toString("base64"),
    templateId: "salesforce-provisioner",
    ...(options.jit === undefined ? {} : { jit: options.jit }),
  });
  if (converted.statusCode !== 200) throw new Error(`convert: ${converted.body}`);
  const connection = converted.json().connection as SpConnection;
  connection.id = "emulated-org";
  connection.active = true;
  options.editConnection?.(connection);
  const created = await portico.request("POST", "/idp/spConnections", connection);
  if (created.statusCode !== 201) throw new Error(`connection: ${created.body}`);
  const userPassword = "integration-password-1";
  const user = await portico.request("POST", "/directory/users", {
    uid: "integration",
    password: userPassword,
    mail: org.adminUsername,
    givenName: "Ivy",
    sn: "Integration",
  });
  if (user.statusCode !== 201) throw new Error(`user: ${user.body}`);
  return {
    portico,
    porticoUrl,
    emulatorUrl,
    org,
    spEntityId: connection.entityId,
    userPassword,
    emulatorJson,
    dispose: async () => {
      await portico.dispose();
      await emulator.close();
    },
  };
};
