import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateMasterKey, parseMasterKey } from "../crypto/secret-box.ts";

export const masterKeyFileName = "master.key";

/**
 * The master key: PORTICO_MASTER_KEY when set; otherwise the key file in the data dir, created
 * (mode 0600) on first start. `generated` tells the caller to warn that production needs its own.
 */
export const resolveMasterKey = (
  configured: string | undefined,
  dataDir: string,
): { key: Buffer; source: "environment" | "file"; generated: boolean; file: string | undefined } => {
  if (configured !== undefined)
    return { key: parseMasterKey(configured), source: "environment", generated: false, file: undefined };
  const file = join(dataDir, masterKeyFileName);
  if (existsSync(file)) {
    return { key: parseMasterKey(readFileSync(file, "utf8").trim()), source: "file", generated: false, file };
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const text = generateMasterKey();
  writeFileSync(file, `${text}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(file, 0o600);
  return { key: parseMasterKey(text), source: "file", generated: true, file };
};
