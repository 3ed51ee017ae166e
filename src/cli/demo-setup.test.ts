import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { assertCode, thrownAppError } from "../../test/support/errors.ts";
import { demoMarkerFile, prepareDemoDataDir } from "./demo-setup.ts";

describe("the demo's data dir", () => {
  const root = mkdtempSync(join(tmpdir(), "portico-demo-dir-"));
  after(() => rmSync(root, { recursive: true, force: true }));

  it("is created with the marker, and emptied on the next start", () => {
    const dir = join(root, "data", "demo");
    assert.equal(prepareDemoDataDir(dir), "created");
    assert.deepEqual(readdirSync(dir), [demoMarkerFile]);
    writeFileSync(join(dir, "portico.db"), "demo data");
    mkdirSync(join(dir, "sub"));
    assert.equal(prepareDemoDataDir(dir), "emptied");
    assert.deepEqual(readdirSync(dir), [demoMarkerFile]);
  });

  it("adopts an empty directory", () => {
    const dir = join(root, "empty");
    mkdirSync(dir);
    assert.equal(prepareDemoDataDir(dir), "adopted");
    assert.ok(existsSync(join(dir, demoMarkerFile)));
  });

  const refused = (dir: string, why: RegExp) => {
    const error = thrownAppError(() => prepareDemoDataDir(dir));
    assertCode(error, "CLI_USAGE", why);
    assert.ok(error.message.startsWith(`DEMO_DATA_DIR: ${dir} `), error.message);
  };

  it("refuses a directory with files that it did not mark, and leaves it untouched", () => {
    const dir = join(root, "installation");
    mkdirSync(dir);
    writeFileSync(join(dir, "portico.db"), "production data");
    refused(dir, /holds files and is not a demo directory/);
    assert.deepEqual(readdirSync(dir), ["portico.db"]);
  });

  it("refuses a file, and a symbolic link to a directory", () => {
    const file = join(root, "a-file");
    writeFileSync(file, "x");
    refused(file, /is not a directory/);
    const target = join(root, "target");
    mkdirSync(target);
    writeFileSync(join(target, "keep"), "x");
    const link = join(root, "link");
    symlinkSync(target, link);
    refused(link, /is not a directory/);
    assert.deepEqual(readdirSync(target), ["keep"]);
  });
});
