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

/** One admin-API call, whichever way a test reaches Portico (inject, or HTTP to a process). */
export type AdminCall = (
  method: "GET" | "POST",
  path: string,
  body?: unknown,
) => Promise<{ status: number; text: string }>;

export type FederationOptions = {
  requestBinding?: "HTTP-Redirect" | "HTTP-POST";
  editConnection?: (c: SpConnection) => void;
  /** Converts the metadata with the Salesforce JIT contract (convert's `jit`). */
  jit?: { profile: string };
};

/**
 * Wires a running Portico and the emulator as an admin would: the emulator's SSO settings name
 * Portico as IdP with its certificate, Portico's connection (`emulated-org`) comes from the
 * emulator's SAMLSP metadata, and the directory has the org's admin user.
 */
export const federate = async (
  admin: AdminCall,
  porticoUrl: string,
  emulatorUrl: string,
  options: FederationOptions = {},
): Promise<Omit<Federation, "portico" | "porticoUrl" | "emulatorUrl" | "dispose">> => {
  const emulatorJson = async <T>(path: string, init?: RequestInit): Promise<T> => {
    const response = await fetch(`${emulatorUrl}${path}`, init);
    if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  const call = async (method: "GET" | "POST", path: string, body?: unknown) => {
    const answer = await admin(method, path, body);
    if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${answer.text}`);
    return answer.text;
  };
  const org = await emulatorJson<Federation["org"]>("/_emulator/org");
  const certificate = await call("GET", "/keyPairs/signing/default-signing/certificate");
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
  const converted = await call("POST", "/connectionMetadata/convert", {
    connectionType: "SP",
    samlMetadata: Buffer.from(metadata).toString("base64"),
    templateId: "salesforce-provisioner",
    ...(options.jit === undefined ? {} : { jit: options.jit }),
  });
  const connection = (JSON.parse(converted) as { connection: SpConnection }).connection;
  connection.id = "emulated-org";
  connection.active = true;
  options.editConnection?.(connection);
  await call("POST", "/idp/spConnections", connection);
  const userPassword = "integration-password-1";
  await call("POST", "/directory/users", {
    uid: "integration",
    password: userPassword,
    mail: org.adminUsername,
    givenName: "Ivy",
    sn: "Integration",
  });
  return { org, spEntityId: connection.entityId, userPassword, emulatorJson };
};

/** Portico (in process) and the Salesforce emulator on real sockets, federated (`federate`). */
export const startFederation = async (options: FederationOptions = {}): Promise<Federation> => {
  const emulator = createEmulator({});
  const emulatorUrl = await emulator.listen(0, "127.0.0.1");
  const port = await freePort();
  const porticoUrl = `http://127.0.0.1:${port}`;
  const portico = await startTestServer({ env: { PORTICO_BASE_URL: porticoUrl } });
  await portico.runtimeApp.listen({ port, host: "127.0.0.1" });
  const federation = await federate(
    async (method, path, body) => {
      const answer = await portico.request(method, path, body);
      return { status: answer.statusCode, text: answer.body };
    },
    porticoUrl,
    emulatorUrl,
    options,
  );
  return {
    ...federation,
    portico,
    porticoUrl,
    emulatorUrl,
    dispose: async () => {
      await portico.dispose();
      await emulator.close();
    },
  };
};
