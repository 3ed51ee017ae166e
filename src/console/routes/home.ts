import type { ServiceContext } from "../../services/context.ts";
import type { ConsoleRoutes } from "../request.ts";

/** The console opens on its connections, as PingFederate's does on its applications. */
export const homeRoutes =
  (_context: ServiceContext): ConsoleRoutes =>
  async (app) => {
    app.get("/", async (_request, reply) => reply.redirect("/console/connections", 303));
  };
