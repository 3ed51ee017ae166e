import type { FastifyRequest } from "fastify";
import { AppError } from "../../lib/errors.ts";
import type { Principal } from "../../services/admin-auth.ts";

/** Where the admin API lives on the admin listener. */
export const adminApiBase = "/pf-admin-api/v1";

declare module "fastify" {
  interface FastifyRequest {
    principal: Principal | null;
  }
}

/** The authenticated caller; the auth hook in app.ts guarantees one on every API route. */
export const principalOf = (request: FastifyRequest): Principal => {
  if (!request.principal) throw new AppError("AUTH_REQUIRED");
  return request.principal;
};
