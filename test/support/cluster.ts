import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateMasterKey } from "../../src/crypto/secret-box.ts";
import { openStore } from "../../src/store/open-store.ts";
import { createPostgresDatabase, type TestDatabase } from "./databases.ts";
import { freePort } from "./federation.ts";
import { type LoadBalancer, startHaproxy } from "./haproxy.ts";
import { killLeftovers, type Serving, startServe, stopProcess } from "./processes.ts";
import { adminPassword, api, basicAuth } from "./server.ts";

export type PorticoNode = Serving & {
  /** `node1`, `node2`, …: the server's name in the load balancer. */
  readonly name: string;
  /** An admin-API call to this node, as `admin` (or with `auth`), JSON in and out. */
  admin(method: string, path: string, body?: unknown, auth?: string): Promise<Response>;
};

export type Cluster = {
  readonly database: TestDatabase;
  readonly nodes: readonly PorticoNode[];
  readonly loadBalancer: LoadBalancer;
  /** The public base URL: the load balancer's. */
  readonly url: string;
  dispose(): Promise<void>;
};

/** One node: `portico serve` with the cluster's environment, and its admin API at hand. */
const startNode = async (name: string, dir: string, env: Record<string, string>): Promise<PorticoNode> => {
  const started = await startServe(dir, env);
  return {
    ...started,
    name,
    admin: (method, path, body, auth) =>
      fetch(`${started.adminUrl}${api}${path}`, {
        method,
        headers: {
          authorization: auth ?? basicAuth("admin", adminPassword),
          ...(method === "GET" ? {} : { "x-xsrf-header": "test" }),
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }),
  };
};

/**
 * `size` `portico serve` processes on one new PostgreSQL database, with one master key, behind
 * HAProxy (round-robin) whose address is every node's public base URL, and which every node
 * trusts as a proxy. The nodes start together on a migrated database.
 */
export const startCluster = async (size = 3): Promise<Cluster> => {
  const database = await createPostgresDatabase();
  const dir = mkdtempSync(join(tmpdir(), "portico-cluster-"));
  const nodes: PorticoNode[] = [];
  let loadBalancer: LoadBalancer | undefined;
  const dispose = async () => {
    await loadBalancer?.dispose();
    await Promise.all(nodes.map((node) => stopProcess(node.child, "SIGTERM")));
    killLeftovers();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const masterKey = generateMasterKey();
    const env = (index: number) => ({
      PORTICO_DATABASE_URL: database.url,
      PORTICO_MASTER_KEY: masterKey,
      PORTICO_ADMIN_PASSWORD: adminPassword,
      PORTICO_BASE_URL: url,
      PORTICO_TRUSTED_PROXIES: "127.0.0.1/32",
      PORTICO_NODE_INDEX: String(index),
    });
    const node = (index: number) => {
      const nodeDir = join(dir, `node${index}`);
      mkdirSync(nodeDir);
      return startNode(`node${index}`, nodeDir, env(index));
    };
    // Migrated before the nodes start, so that they start together and race only for the
    // first-start bootstrap, which a node that loses leaves to the winner.
    const store = openStore(database.url);
    await store.migrate().finally(() => store.close());
    const started = await Promise.allSettled(Array.from({ length: size }, (_, i) => node(i + 1)));
    for (const one of started) if (one.status === "fulfilled") nodes.push(one.value);
    const failed = started.find((o) => o.status === "rejected");
    if (failed) throw failed.reason;
    loadBalancer = await startHaproxy(
      nodes.map((n) => ({ name: n.name, url: n.runtimeUrl })),
      port,
    );
    return { database, nodes, loadBalancer, url, dispose };
  } catch (error) {
    await dispose();
    throw error;
  }
};
