import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, describe, it } from "node:test";
import {
  type CliResult,
  type CliTestServer,
  cliAdminPassword,
  parseJsonOutput,
  runPortico,
  startCliServer,
} from "../support/cli.ts";

/** A URL where nothing listens: a port the system gave us, then closed. */
const closedPortUrl = async (): Promise<string> => {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const address = probe.address();
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return `http://127.0.0.1:${address.port}`;
};

describe("portico client commands: credentials, API tokens and errors", () => {
  let server: CliTestServer;
  let token = "";
  let tokenId = "";
  const outputs: CliResult[] = [];
  /** Runs with nothing in the environment but what the test gives. */
  const bare = async (argv: string[], env: Record<string, string> = {}) => {
    const result = await runPortico(argv, { env });
    outputs.push(result);
    return result;
  };

  before(async () => {
    server = await startCliServer();
  });
  after(() => server.dispose());

  it("takes the URL and password from flags", async () => {
    const result = await bare(["keys", "list", "--url", server.url, "--password", cliAdminPassword]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /default-signing/);
  });

  it("takes the URL, user and password from the environment", async () => {
    const env = {
      PORTICO_ADMIN_URL: server.url,
      PORTICO_ADMIN_USER: "admin",
      PORTICO_ADMIN_PASSWORD: cliAdminPassword,
    };
    const result = await bare(["connections", "list"], env);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "No SP connections.\n");
  });

  it("reports a wrong password in one line with exit code 1", async () => {
    const result = await bare(["connections", "list", "--url", server.url, "--password", "not-the-password"]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /^portico: AUTH_INVALID_CREDENTIALS: [^\n]+\(HTTP 401\)\n$/);
    assert.equal(result.stderr.includes("not-the-password"), false);
  });

  it("reports missing credentials", async () => {
    const result = await bare(["connections", "list", "--url", server.url]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^portico: AUTH_REQUIRED: [^\n]+\(HTTP 401\)\n$/);
  });

  it("reports an unreachable admin API in one line", async () => {
    const url = await closedPortUrl();
    const result = await bare(["keys", "list", "--url", url, "--password", cliAdminPassword]);
    assert.equal(result.code, 1);
    assert.ok(
      result.stderr.startsWith(`portico: CLI_CONNECTION_FAILED: cannot reach the admin API at ${url}`),
      result.stderr,
    );
    assert.equal(result.stderr.split("\n").length, 2);
  });

  it("creates an API token and shows it once", async () => {
    const result = await server.run(["tokens", "create", "--name", "ci pipeline", "--expires-in-days", "30"]);
    outputs.push(result);
    assert.equal(result.code, 0, result.stderr);
    const match =
      /^Created API token "ci pipeline" \(id (\S+), expires \d{4}-\d\d-\d\dT[\d:]+Z\)\.\nToken: (\S+)\n/.exec(
        result.stdout,
      );
    assert.ok(match, result.stdout);
    tokenId = match[1] ?? "";
    token = match[2] ?? "";
    assert.match(result.stdout, /not shown again/);
  });

  it("lists tokens with --token alone, never showing the token itself", async () => {
    const result = await bare(["tokens", "list", "--url", server.url, "--token", token]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^ID\s+NAME\s+CREATED BY\s+CREATED\s+LAST USED\s+EXPIRES\n/);
    assert.match(result.stdout, new RegExp(`${tokenId}\\s+ci pipeline\\s+admin\\s`));
    const json = await bare(["tokens", "list", "--json"], {
      PORTICO_ADMIN_URL: server.url,
      PORTICO_API_TOKEN: token,
    });
    assert.equal((parseJsonOutput(json).items as { id: string }[])[0]?.id, tokenId);
    for (const r of [result, json]) assert.equal(r.stdout.includes(token), false);
  });

  it("uses the token rather than a password when given both", async () => {
    const result = await bare([
      "keys",
      "list",
      "--url",
      server.url,
      "--token",
      token,
      "--password",
      "wrong-password",
    ]);
    assert.equal(result.code, 0, result.stderr);
  });

  it("revokes a token; it no longer signs in", async () => {
    const result = await server.run(["tokens", "delete", tokenId]);
    outputs.push(result);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `Revoked API token "${tokenId}".\n`);
    const refused = await bare(["tokens", "list", "--url", server.url, "--token", token]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /^portico: AUTH_INVALID_CREDENTIALS: /);
    const gone = await server.run(["tokens", "delete", tokenId]);
    assert.match(gone.stderr, /^portico: TOKEN_NOT_FOUND: [^\n]+\(HTTP 404\)\n$/);
  });

  it("prints the new token in --json output too (that is its only showing)", async () => {
    const result = await server.run(["tokens", "create", "--name", "script", "--json"]);
    const created = parseJsonOutput(result);
    assert.match(String(created.token), /\S{20,}/);
    assert.equal(created.expiresAt, null);
  });

  it("exits 2 on bad usage and prints the usage problem", async () => {
    for (const argv of [
      ["tokens", "create"],
      ["tokens", "create", "--name", "x", "--expires-in-days", "0"],
      ["tokens", "delete"],
      ["tokens"],
      ["keys", "list", "--url"],
    ]) {
      const result = await bare(argv, {
        PORTICO_ADMIN_URL: server.url,
        PORTICO_ADMIN_PASSWORD: cliAdminPassword,
      });
      assert.equal(result.code, 2, `${argv.join(" ")}: ${result.stderr}`);
      assert.notEqual(result.stderr, "");
    }
  });

  it("documents the connection options and their environment variables in --help", async () => {
    const result = await bare(["connections", "list", "--help"]);
    assert.equal(result.code, 0);
    for (const text of [
      "--url",
      "PORTICO_ADMIN_URL",
      "--user",
      "PORTICO_ADMIN_USER",
      "--password",
      "PORTICO_ADMIN_PASSWORD",
      "--token",
      "PORTICO_API_TOKEN",
    ]) {
      assert.ok(result.stdout.includes(text), text);
    }
  });

  it("never printed the admin password", () => {
    for (const { stdout, stderr } of outputs)
      assert.equal(`${stdout}${stderr}`.includes(cliAdminPassword), false);
  });
});
