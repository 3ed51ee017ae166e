import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

/**
 * A throwaway PKI for a test directory server, made with openssl in `dir` (no key is ever
 * committed): `ca.pem`/`ca.key`, a server certificate `server.pem`/`server.key` signed by it for
 * the given subjectAltName, and `other-ca.pem`, a CA that signed nothing.
 */

const run = promisify(execFile);
const openssl = "/usr/bin/openssl";

export const makeTestCertificates = async (dir: string, subjectAltName: string): Promise<void> => {
  if (!existsSync(openssl))
    throw new Error(`openssl is missing (${openssl}): install the Debian package openssl`);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"];
  for (const name of ["ca", "other-ca"]) {
    await run(openssl, [
      "req",
      "-x509",
      ...ec,
      "-keyout",
      join(dir, `${name}.key`),
      "-out",
      join(dir, `${name}.pem`),
      "-days",
      "2",
      "-subj",
      `/CN=Portico test ${name}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    ]);
  }
  await run(openssl, [
    "req",
    ...ec,
    "-keyout",
    join(dir, "server.key"),
    "-out",
    join(dir, "server.csr"),
    "-subj",
    "/CN=Portico test server",
  ]);
  await writeFile(
    join(dir, "server.ext"),
    `subjectAltName=${subjectAltName}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`,
  );
  await run(openssl, [
    "x509",
    "-req",
    "-in",
    join(dir, "server.csr"),
    "-CA",
    join(dir, "ca.pem"),
    "-CAkey",
    join(dir, "ca.key"),
    "-CAcreateserial",
    "-out",
    join(dir, "server.pem"),
    "-days",
    "2",
    "-extfile",
    join(dir, "server.ext"),
  ]);
};
