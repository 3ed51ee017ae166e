import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

/** The emulator is a separate program: nothing in emulator/salesforce may import from src/ (issue 4). */

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const emulatorDir = join(root, "emulator/salesforce");
const srcDir = join(root, "src");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
  });
}

const specifier =
  /(?:import|export)\s[^'"]*?from\s*["']([^"']+)["']|import\s*\(\s*["']([^"']+)["']\s*\)|import\s+["']([^"']+)["']/g;

describe("emulator independence", () => {
  it("no file in emulator/salesforce imports from src/", () => {
    const offenders: string[] = [];
    const all = files(emulatorDir);
    assert.ok(all.length > 10, "the emulator's files are found");
    for (const file of all) {
      for (const m of readFileSync(file, "utf8").matchAll(specifier)) {
        const spec = m[1] ?? m[2] ?? m[3] ?? "";
        if (!spec.startsWith(".") && !spec.startsWith("/")) continue;
        const target = resolve(dirname(file), spec);
        if (target === srcDir || target.startsWith(`${srcDir}/`))
          offenders.push(`${relative(root, file)} → ${spec}`);
      }
    }
    assert.deepEqual(offenders, []);
  });
});
