import type { FastifyInstance } from "fastify";
import { registerControlRoutes } from "./control-routes.ts";
import type { SpContext } from "./http.ts";
import { registerLoginRoutes } from "./login-routes.ts";
import { registerLogoutRoutes } from "./logout-routes.ts";

export type { SpContext } from "./http.ts";

export function registerRoutes(app: FastifyInstance, ctx: SpContext): void {
  registerControlRoutes(app, ctx);
  registerLoginRoutes(app, ctx);
  registerLogoutRoutes(app, ctx);
}
