import type { FastifyInstance } from "fastify";
import { generateSpKeys, type SpKeys } from "./keys.ts";
import { registerRoutes } from "./routes.ts";
import { createSpStore } from "./store.ts";
import type { SamlOrgView } from "./types.ts";

export { LOGIN_STATUS, type LoginStatus } from "./constants.ts";
export type { SsoSettings } from "./settings.ts";
export type { SamlOrgView, SamlUser } from "./types.ts";
export type { ValidationCheck, ValidationResult } from "./validate-response.ts";

/** The SAML service-provider half of the emulated org (issue 4, item 4). */
export type SamlSp = {
  /** Adds the routes; the app must already have @fastify/formbody registered. */
  register(app: FastifyInstance): void;
  /** Forgets SSO settings, sessions, requests and history (the key pair is kept per org). */
  reset(): void;
  toJSON(): unknown;
  load(state: unknown): void;
};

export function createSamlSp(view: () => SamlOrgView): SamlSp {
  const store = createSpStore();
  let pending: { orgId: string; promise: Promise<SpKeys> } | undefined;

  // Keys are made on first need (or when the app becomes ready), because the org may not
  // exist yet when the SP is created; a new org id means a new certificate (its OU names it).
  function keys(): Promise<SpKeys> {
    const current = view();
    const held = store.keys;
    if (held && held.orgId === current.orgId) return Promise.resolve(held);
    if (pending && pending.orgId === current.orgId) return pending.promise;
    const orgId = current.orgId;
    const promise = generateSpKeys(orgId, current.now()).then((generated) => {
      if (pending?.orgId === orgId) pending = undefined;
      // A load() that brought keys for this org while we were generating wins.
      const loaded = store.keys;
      if (loaded && loaded.orgId === orgId) return loaded;
      store.keys = generated;
      return generated;
    });
    pending = { orgId, promise };
    return promise;
  }

  return {
    register(app) {
      app.addHook("onReady", async () => {
        await keys();
      });
      registerRoutes(app, { store, view, keys });
    },
    reset() {
      store.reset();
    },
    toJSON() {
      return store.toJSON();
    },
    load(state) {
      store.load(state);
    },
  };
}
