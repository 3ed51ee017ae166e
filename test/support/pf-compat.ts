import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * Where the PingFederate exports of ../shared/pf-compat/examples/ are (they are read from there,
 * never copied into the repository): `PORTICO_PF_COMPAT_DIR` when set; else the first
 * `shared/pf-compat/examples/` beside the checkout or one of its parents; else the workplace's
 * `/work/shared`. None found is a failure that says where it looked, never a skip.
 */
export const pfCompatExamplesDir = (): string => {
  const fromEnv = process.env.PORTICO_PF_COMPAT_DIR;
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
  const candidates = [
    ...(fromEnv ? [fromEnv] : []),
    ...ancestors(repo).map((dir) => join(dir, "shared", "pf-compat", "examples")),
    "/work/shared/pf-compat/examples",
  ];
  const found = candidates.find((dir) => existsSync(dir));
  if (found === undefined) {
    throw new Error(
      `The PingFederate examples (shared/pf-compat/examples) were not found; looked in:\n  ${candidates.join("\n  ")}\nSet PORTICO_PF_COMPAT_DIR to their folder.`,
    );
  }
  return found.endsWith("/") ? found : `${found}/`;
};

const ancestors = (start: string): string[] => {
  const out: string[] = [];
  for (let dir = dirname(start); ; dir = dirname(dir)) {
    out.push(dir);
    if (dirname(dir) === dir) return out;
  }
};
