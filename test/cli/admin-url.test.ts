import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type CliTestServer, cliAdminPassword, runPortico, startCliServer } from "../support/cli.ts";
import { freePort } from "../support/federation.ts";

describe("where the CLI looks for the admin API", () => {
  let server: CliTestServer;
  before(async () => {
    server = await startCliServer();
  });
  after(() => server.dispose());

  it("follows PORTICO_ADMIN_PORT, as `portico serve` with the same environment listens", async () => {
    const port = new URL(server.url).port;
    const result = await runPortico(["keys", "list"], {
      env: { PORTICO_ADMIN_PORT: port, PORTICO_ADMIN_PASSWORD: cliAdminPassword },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /default-signing/);
  });

  it("and PORTICO_ADMIN_HOST, reaching a wildcard address on the loopback", async () => {
    const port = new URL(server.url).port;
    for (const host of ["127.0.0.1", "0.0.0.0"]) {
      const result = await runPortico(["keys", "list"], {
        env: { PORTICO_ADMIN_HOST: host, PORTICO_ADMIN_PORT: port, PORTICO_ADMIN_PASSWORD: cliAdminPassword },
      });
      assert.equal(result.code, 0, `${host}: ${result.stderr}`);
    }
  });

  it("says how to point it elsewhere when nothing answers", async () => {
    const port = await freePort();
    const result = await runPortico(["keys", "list"], {
      env: { PORTICO_ADMIN_PORT: String(port), PORTICO_ADMIN_PASSWORD: cliAdminPassword },
    });
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      new RegExp(
        `^portico: CLI_CONNECTION_FAILED: cannot reach the admin API at http://127\\.0\\.0\\.1:${port} `,
      ),
    );
    assert.match(result.stderr, /--url or PORTICO_ADMIN_URL\n$/);
    assert.equal(result.stderr.split("\n").length, 2, "one line");
  });

  it("refuses a PORTICO_ADMIN_PORT that is not a port, naming it", async () => {
    const result = await runPortico(["keys", "list"], { env: { PORTICO_ADMIN_PORT: "admin" } });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^portico: CLI_USAGE: PORTICO_ADMIN_PORT: "admin" is not a port number\n$/);
  });
});
