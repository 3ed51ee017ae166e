import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { cp, mkdir, open, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { administratorPassword, netbiosDomain, realm } from "./samba-seed.ts";

/**
 * A provisioned, empty domain for samba.ts. `samba-tool domain provision` takes seconds of CPU
 * (half a minute on a busy machine), so a test run provisions one template and each DC starts
 * from a copy of it; only smb.conf names its directory. The template belongs to the test runner
 * (the parent process): the next run removes those of runs that have ended.
 */

const run = promisify(execFile);
const prefix = "portico-samba-template-";

const provision = async (dir: string) => {
  const tls = join(dir, "tls");
  await run(
    "samba-tool",
    [
      "domain",
      "provision",
      `--targetdir=${dir}`,
      `--realm=${realm}`,
      `--domain=${netbiosDomain}`,
      "--server-role=dc",
      // The machine's own host name may be longer than NetBIOS allows (15 characters).
      "--host-name=dc1",
      "--dns-backend=NONE",
      `--adminpass=${administratorPassword}`,
      "--option=netbios name = DC1",
      "--option=interfaces = lo",
      "--option=bind interfaces only = yes",
      // LDAP alone: no SMB, Kerberos, DNS, RPC or replication (the tests need none).
      "--option=server services = ldap",
      `--option=pid directory = ${join(dir, "run")}`,
      `--option=log file = ${join(dir, "log")}`,
      // NT ACLs in a tdb, not in security.* xattrs, which some container file systems refuse.
      "--option=vfs objects = dfs_samba4 acl_xattr xattr_tdb",
      "--option=tls enabled = yes",
      `--option=tls keyfile = ${join(tls, "server.key")}`,
      `--option=tls certfile = ${join(tls, "server.pem")}`,
      `--option=tls cafile = ${join(tls, "ca.pem")}`,
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
};

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Removes the templates (and locks) of test runs that have ended. */
const removeStaleTemplates = async () => {
  for (const name of await readdir(tmpdir())) {
    const pid = Number(/^portico-samba-template-(\d+)(?:\.lock)?$/.exec(name)?.[1]);
    if (pid > 0 && !isAlive(pid)) await rm(join(tmpdir(), name), { recursive: true, force: true });
  }
};

/** This run's template, provisioned by whichever DC of the run needs it first (the others wait). */
const template = async (): Promise<string> => {
  const dir = join(tmpdir(), `${prefix}${process.ppid}`);
  const ready = join(dir, "ready");
  const lock = `${dir}.lock`;
  for (let waited = 0; waited < 600; waited++) {
    if (existsSync(ready)) return dir;
    let held: Awaited<ReturnType<typeof open>> | undefined;
    try {
      held = await open(lock, "wx");
    } catch {
      // Another test file is provisioning it; a lock left by one that died is taken over.
      const owner = Number(await readFile(lock, "utf8").catch(() => ""));
      if (owner > 0 && !isAlive(owner)) await rm(lock, { force: true });
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    try {
      await held.writeFile(String(process.pid));
      await held.close();
      await removeStaleTemplates();
      await rm(dir, { recursive: true, force: true });
      await provision(dir);
      await writeFile(ready, "");
      return dir;
    } finally {
      await rm(lock, { force: true });
    }
  }
  throw new Error(`the Samba template ${dir} was not provisioned within 5 minutes`);
};

/** Fills `dir` with a provisioned domain of its own. */
export const provisionedCopy = async (dir: string): Promise<void> => {
  const source = await template();
  await cp(source, dir, { recursive: true, verbatimSymlinks: true });
  await rm(join(dir, "ready"), { force: true });
  const conf = join(dir, "etc", "smb.conf");
  await writeFile(conf, (await readFile(conf, "utf8")).replaceAll(source, dir));
  await mkdir(join(dir, "run"), { recursive: true });
  await mkdir(join(dir, "tls"), { recursive: true });
};
