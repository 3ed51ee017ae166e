import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { configVariables } from "../src/config/schema.ts";

const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
const packageJson = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
  scripts: Record<string, string>;
};

describe("README", () => {
  it("documents every configuration variable as the code defines it", () => {
    const rows = readme
      .split("\n")
      .filter((line) => line.startsWith("| `PORTICO_"))
      .map((line) =>
        line
          .split("|")
          .slice(1, -1)
          .map((cell) => cell.trim()),
      );
    assert.deepEqual(
      rows,
      configVariables.map((v) => [`\`${v.name}\``, v.default, v.meaning]),
    );
  });

  it("gives the two set-up commands, and they exist", () => {
    assert.ok(readme.includes("npm ci && npm start"));
    assert.ok(readme.includes("npm test"));
    assert.ok(packageJson.scripts.start?.includes("serve"));
    assert.ok(packageJson.scripts.test);
  });
});
