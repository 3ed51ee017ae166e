import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parseConfig } from "../src/config/schema.ts";
import { makeTestCertificates } from "./support/certificates.ts";
import { checkHaproxyConfig } from "./support/haproxy.ts";
import { runProcess } from "./support/processes.ts";

/**
 * The samples in deploy/, checked by the programs that will read them: a sample an operator
 * copies must at least load. Each keeps the README's promises (heartbeat checks, trusted proxy
 * headers, no stickiness, a hardened unit).
 */
const deploy = new URL("../deploy/", import.meta.url).pathname;
const read = (name: string) => readFileSync(join(deploy, name), "utf8");
const env = { PATH: process.env.PATH ?? "" };

describe("deploy/", () => {
  const dir = mkdtempSync(join(tmpdir(), "portico-deploy-"));
  before(() => makeTestCertificates(dir, "DNS:sso.example.com"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("haproxy.cfg loads in HAProxy and health-checks three nodes on the heartbeat", async () => {
    const sample = read("haproxy.cfg");
    // The certificate path is the operator's; here, a throw-away certificate and key in one PEM.
    const pem = join(dir, "server-with-key.pem");
    writeFileSync(
      pem,
      readFileSync(join(dir, "server.pem"), "utf8") + readFileSync(join(dir, "server.key"), "utf8"),
    );
    const file = join(dir, "haproxy.cfg");
    writeFileSync(file, sample.replace("/etc/haproxy/certs/sso.example.com.pem", pem));
    const checked = await checkHaproxyConfig(file);
    assert.equal(checked.code, 0, checked.output);
    assert.match(sample, /http-check send meth GET uri \/pf\/heartbeat\.ping/);
    assert.equal(sample.match(/^\s*server node\d /gm)?.length, 3);
    assert.doesNotMatch(sample, /\bcookie\b|\bstick\b/, "no stickiness: any node serves any request");
  });

  it("nginx.conf loads in nginx and forwards the client's address and scheme", async () => {
    const sample = read("nginx.conf")
      .replace("/etc/nginx/certs/sso.example.com.crt", join(dir, "server.pem"))
      .replace("/etc/nginx/certs/sso.example.com.key", join(dir, "server.key"));
    writeFileSync(join(dir, "portico.conf"), sample);
    // The sample is a conf.d file: the main file around it, as Debian's nginx.conf has.
    writeFileSync(
      join(dir, "nginx.conf"),
      `pid ${join(dir, "nginx.pid")};\nerror_log stderr;\nevents {}\nhttp {\n  access_log off;\n  include ${join(dir, "portico.conf")};\n}\n`,
    );
    const checked = await runProcess("nginx", ["-t", "-p", dir, "-c", join(dir, "nginx.conf")], {
      cwd: dir,
      env,
    });
    assert.equal(checked.code, 0, checked.output);
    assert.match(sample, /proxy_set_header X-Forwarded-For \$remote_addr;/);
    assert.match(sample, /proxy_set_header X-Forwarded-Proto \$scheme;/);
    assert.equal(sample.match(/^\s*server 10\.0\.0\.\d+:9031 /gm)?.length, 3);
  });

  it("portico.service is a valid unit, hardened, reading its environment file", async () => {
    const unit = join(deploy, "portico.service");
    const verified = await runProcess("systemd-analyze", ["verify", unit], { cwd: dir, env });
    assert.equal(verified.code, 0, verified.output);
    assert.equal(verified.output.trim(), "", "no warning about any line");
    assert.match(read("portico.service"), /^EnvironmentFile=\/etc\/portico\/portico\.env$/m);
    assert.match(read("portico.service"), /^ExecStart=\S+ \S+\/bin\/portico\.js serve$/m);
    // systemd's own score: 0 is a fully sandboxed service, 10 an unprotected one; "OK" is < 2.
    const security = await runProcess("systemd-analyze", ["security", "--offline=true", unit], {
      cwd: dir,
      env,
    });
    const level = /Overall exposure level for portico\.service: ([\d.]+)/.exec(security.output)?.[1];
    assert.ok(level !== undefined && Number(level) < 2, security.output);
  });

  it("portico.env.example is a configuration Portico accepts, for a node of a cluster", () => {
    const sample = read("portico.env.example");
    const variables = Object.fromEntries(
      [...sample.matchAll(/^(PORTICO_[A-Z_]+)=(.*)$/gm)].map((m) => [m[1] ?? "", m[2] ?? ""]),
    );
    const config = parseConfig(variables, dir);
    assert.match(config.databaseUrl, /^postgres:\/\//);
    assert.equal(config.baseUrl, "https://sso.example.com");
    assert.deepEqual(config.trustedProxies, ["10.0.0.5/32"]);
    assert.equal(config.adminHost, "127.0.0.1", "the admin listener stays private");
    assert.ok(variables.PORTICO_MASTER_KEY, "the same master key on every node");
    assert.match(variables.PORTICO_NODE_INDEX ?? "", /^\d+$/);
  });
});
