import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "ldapts";
import { ldapValidatorPluginId } from "../src/domain/credential-validator.ts";
import { systemActor } from "../src/services/context.ts";
import { updateHtmlFormAdapter } from "../src/services/credential-validators/html-form.ts";
import { usernamePlaceholder } from "../src/services/credential-validators/ldap-settings.ts";
import { signInSource } from "../src/services/credential-validators/sign-in-source.ts";
import { createValidator } from "../src/services/credential-validators/validators.ts";
import { createDataStore } from "../src/services/data-stores/data-stores.ts";
import { closeLdapPools } from "../src/services/data-stores/pools.ts";
import { signIn } from "../src/services/sso/login.ts";
import { openStore } from "../src/store/open-store.ts";
import {
  baseDn,
  type Slapd,
  serviceDn,
  servicePassword,
  bulkUid as uidOf,
  userDn,
} from "../test/support/slapd.ts";
import { benchContext } from "./engine-setup.ts";

/**
 * Sign-ins by bind per second against slapd (part of `npm run bench:ldap`), two ways in
 * interleaved rounds, each figure its best round:
 *  - raw: what ldapts alone does for one password check: connect, simple bind as the user's DN
 *    (known beforehand), unbind — the floor under any search-then-bind;
 *  - Portico: the sign-in form's path without HTTP — `signIn` under the throttle counters, the
 *    htmlform adapter's Credential Validators read from the store, the LDAP validator's search
 *    for `(uid=…)` as the service account on a pooled connection, then the bind as the user on a
 *    connection of its own.
 * Both keep `concurrency` attempts in flight, each with the next of `users` accounts.
 */

export type SignInFigures = {
  readonly raw: number;
  readonly portico: number;
  readonly rounds: { readonly raw: number; readonly portico: number }[];
  readonly failures: number;
};

/** Attempts per second while `concurrency` loops call `attempt` for `ms`; false results count as failures. */
const rate = async (ms: number, concurrency: number, attempt: (i: number) => Promise<boolean>) => {
  let next = 0;
  let done = 0;
  let failed = 0;
  const startedAt = performance.now();
  const end = startedAt + ms;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        if (await attempt(next++)) done++;
        else failed++;
      }
    }),
  );
  return { perSecond: done / ((performance.now() - startedAt) / 1000), failed };
};

export const measureSignIns = async (
  slapd: Slapd,
  options: { readonly seconds: number; readonly concurrency: number; readonly users: number },
): Promise<SignInFigures> => {
  const dir = mkdtempSync(join(tmpdir(), "portico-bench-signin-"));
  const store = openStore(`sqlite:${join(dir, "portico.db")}`);
  await store.migrate();
  const context = benchContext(store);
  try {
    await createDataStore(context, systemActor, {
      type: "LDAP",
      id: "corp",
      name: "Bench slapd",
      ldapType: "GENERIC",
      hostnames: [slapd.hostname],
      userDN: serviceDn,
      password: servicePassword,
    });
    await createValidator(context, systemActor, {
      id: "corpLdap",
      name: "Bench LDAP",
      pluginDescriptorRef: { id: ldapValidatorPluginId },
      configuration: {
        fields: [
          { name: "LDAP Datastore", value: "corp" },
          { name: "Search Base", value: baseDn },
          { name: "Search Filter", value: `(uid=${usernamePlaceholder})` },
        ],
      },
    });
    await updateHtmlFormAdapter(context, systemActor, {
      configuration: {
        tables: [
          {
            name: "Credential Validators",
            rows: [{ fields: [{ name: "Password Credential Validator Instance", value: "corpLdap" }] }],
          },
        ],
      },
    });
    const source = signInSource(context);
    const user = (i: number) => uidOf(i % options.users);

    const raw = async (i: number) => {
      // The data store's own host name (localhost, looked up like Portico's connections are).
      const client = new Client({ url: `ldap://${slapd.hostname}` });
      try {
        await client.bind(userDn(user(i)), `${user(i)}-pw`);
        return true;
      } catch {
        return false;
      } finally {
        await client.unbind();
      }
    };
    const portico = async (i: number) => {
      try {
        const subject = await signIn(context, source, {
          username: user(i),
          password: `${user(i)}-pw`,
          address: "127.0.0.1",
        });
        return subject.uid === user(i);
      } catch {
        return false;
      }
    };

    // Warm-up: connections pooled, code compiled, slapd's caches filled alike for both.
    await rate(1000, options.concurrency, raw);
    await rate(1000, options.concurrency, portico);
    const rounds: SignInFigures["rounds"] = [];
    let failures = 0;
    const roundMs = (options.seconds * 1000) / 5;
    for (let round = 0; round < 5; round++) {
      const a = await rate(roundMs, options.concurrency, raw);
      const b = await rate(roundMs, options.concurrency, portico);
      failures += a.failed + b.failed;
      rounds.push({ raw: a.perSecond, portico: b.perSecond });
    }
    return {
      raw: Math.max(...rounds.map((r) => r.raw)),
      portico: Math.max(...rounds.map((r) => r.portico)),
      rounds,
      failures,
    };
  } finally {
    await closeLdapPools(context);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
};
