import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { FastifyInstance } from "fastify";

/**
 * The console's few assets, all served from this process: its stylesheet, its small script, and
 * htmx (2.0, from node_modules). Nothing is fetched from anywhere else; the CSP says so too.
 */
const require = createRequire(import.meta.url);

const files = {
  "console.css": { path: new URL("./assets/console.css", import.meta.url), type: "text/css; charset=utf-8" },
  "console.js": {
    path: new URL("./assets/console.js", import.meta.url),
    type: "text/javascript; charset=utf-8",
  },
  "htmx.min.js": {
    path: require.resolve("htmx.org/dist/htmx.min.js"),
    type: "text/javascript; charset=utf-8",
  },
} as const;

/** Registers the assets under the console's prefix: /console/assets/<name>. */
export const registerAssets = (app: FastifyInstance): void => {
  for (const [name, file] of Object.entries(files)) {
    const body = readFileSync(file.path);
    const etag = `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"`;
    app.get(`/assets/${name}`, async (request, reply) => {
      reply.header("ETag", etag).header("Cache-Control", "no-cache").type(file.type);
      if (request.headers["if-none-match"] === etag) return reply.status(304).send();
      return reply.send(body);
    });
  }
};
