import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./federation.ts";
import { runProcess, startProcess, stopProcessGroup } from "./processes.ts";

/** Debian's HAProxy; scripts/test-prerequisites.sh installs it. */
export const haproxyPath = process.env.PORTICO_TEST_HAPROXY ?? "/usr/sbin/haproxy";

/** The response header through which the load balancer names the node that answered. */
export const servedByHeader = "x-served-by";

export type LoadBalancer = {
  /** `http://127.0.0.1:<port>`: the cluster's public base URL. */
  readonly url: string;
  readonly config: string;
  dispose(): Promise<void>;
};

/**
 * The configuration a test runs: round-robin over the nodes, each health-checked on
 * PingFederate's heartbeat as in deploy/haproxy.cfg, with the forwarded-for header the nodes
 * believe from a trusted proxy, and the answering server's name in `X-Served-By`.
 */
export const haproxyConfig = (port: number, nodes: readonly { name: string; url: string }[]): string =>
  [
    "global",
    "  maxconn 256",
    "defaults",
    "  mode http",
    "  timeout connect 2s",
    "  timeout client 30s",
    "  timeout server 30s",
    "  option forwardfor",
    "frontend portico",
    `  bind 127.0.0.1:${port}`,
    "  default_backend portico_nodes",
    "backend portico_nodes",
    "  balance roundrobin",
    "  option httpchk",
    "  http-check send meth GET uri /pf/heartbeat.ping",
    "  http-check expect string OK",
    "  default-server check inter 500ms fall 2 rise 1",
    `  http-response set-header ${servedByHeader} %s`,
    ...nodes.map((node) => `  server ${node.name} ${new URL(node.url).host}`),
    "",
  ].join("\n");

/**
 * HAProxy in the foreground on a loopback port (a free one unless given), in front of `nodes`
 * (runtime URLs). Resolves
 * once every node has answered through it, so a test starts with the whole pool in rotation.
 */
export const startHaproxy = async (
  nodes: readonly { name: string; url: string }[],
  port?: number,
): Promise<LoadBalancer> => {
  const dir = mkdtempSync(join(tmpdir(), "portico-haproxy-"));
  port ??= await freePort();
  const config = haproxyConfig(port, nodes);
  const file = join(dir, "haproxy.cfg");
  writeFileSync(file, config);
  const url = `http://127.0.0.1:${port}`;
  // -db: stay in the foreground, messages on stderr; -V says when it has bound and polls.
  const started = await startProcess(
    haproxyPath,
    ["-db", "-V", "-f", file],
    { cwd: dir, env: { PATH: process.env.PATH ?? "" } },
    (output) => /as the polling mechanism/.test(output),
  );
  const dispose = async () => {
    await stopProcessGroup(started.child);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const seen = new Set<string>();
    for (let attempt = 0; attempt < 200 && seen.size < nodes.length; attempt++) {
      const answer = await fetch(`${url}/pf/heartbeat.ping`).catch(() => undefined);
      const node = answer?.ok ? answer.headers.get(servedByHeader) : null;
      if (node) seen.add(node);
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (seen.size < nodes.length)
      throw new Error(`HAProxy put only ${[...seen].join(", ")} in rotation:\n${started.output()}`);
  } catch (error) {
    await dispose();
    throw error;
  }
  return { url, config, dispose };
};

/** `haproxy -c`: whether HAProxy accepts a configuration file, with its messages. */
export const checkHaproxyConfig = (file: string) =>
  runProcess(haproxyPath, ["-c", "-f", file], { cwd: tmpdir(), env: { PATH: process.env.PATH ?? "" } });
