import { Type } from "@sinclair/typebox";
import { unsupportedWarnings } from "../../domain/pf-unsupported.ts";
import { addLocations } from "../../domain/references.ts";
import { apiBase } from "../../http/admin-api/connections.ts";
import { prototypeKeyPath } from "../../http/admin-api/json-body.ts";
import { IdParams } from "../../http/admin-api/schemas.ts";
import { isAppError } from "../../lib/errors.ts";
import { copyConnection } from "../../services/connection-copy.ts";
import { createConnection, deleteConnection, getConnection } from "../../services/connections.ts";
import type { ServiceContext } from "../../services/context.ts";
import { actorOf, type ConsoleRoutes, redirectWithNotice, sendPage, viewerOf } from "../request.ts";
import {
  copyPage,
  deletePage,
  type FormErrors,
  importedPage,
  importPage,
} from "../views/connection-actions.ts";

const CopyForm = Type.Object({
  _csrf: Type.String(),
  entityId: Type.String({ maxLength: 2048 }),
  name: Type.String({ maxLength: 512 }),
});

/** A multipart form's file arrives as a Buffer (app.ts); an empty one when none was chosen. */
const ImportForm = Type.Object({
  _csrf: Type.String(),
  file: Type.Optional(Type.Unsafe<unknown>({})),
  document: Type.Optional(Type.String({ maxLength: 2 * 1024 * 1024 })),
});

const Csrf = Type.Object({ _csrf: Type.String() });

/** What an AppError says about a form, each detail under its field. */
const errorsOf = (error: unknown): FormErrors => {
  if (!isAppError(error) || !error.expose) throw error;
  return error.details.length > 0 ? error.details : [{ message: error.message }];
};

/** The uploaded or pasted document, parsed; or what is wrong with it, naming the form's field. */
const readImport = (
  file: unknown,
  pasted: string | undefined,
): { document: unknown } | { errors: FormErrors } => {
  const uploaded = Buffer.isBuffer(file) && file.length > 0 ? file.toString("utf8") : undefined;
  const text = pasted?.trim() ? pasted : undefined;
  if (uploaded !== undefined && text !== undefined)
    return { errors: [{ field: "file", message: "choose a file or paste the JSON, not both" }] };
  const source = uploaded !== undefined ? "file" : "document";
  const body = uploaded ?? text;
  if (body === undefined)
    return { errors: [{ field: "file", message: "choose a connection file, or paste its JSON below" }] };
  let document: unknown;
  try {
    document = JSON.parse(body.charCodeAt(0) === 0xfeff ? body.slice(1) : body);
  } catch {
    // JSON.parse's message quotes the text, which may hold a secret: say only where the trouble is.
    return { errors: [{ field: source, message: "is not valid JSON" }] };
  }
  if (typeof document !== "object" || document === null || Array.isArray(document))
    return { errors: [{ field: source, message: "must be one connection: a JSON object" }] };
  const bad = prototypeKeyPath(document);
  if (bad !== undefined)
    return {
      errors: [{ field: bad, message: "this key is refused: it could change the prototype of objects" }],
    };
  return { document };
};

/** Copy, export, import and delete on the connection list, through the admin API's services. */
export const connectionActionRoutes =
  (context: ServiceContext): ConsoleRoutes =>
  async (app) => {
    app.get("/connections/:id/export", { schema: { params: IdParams } }, async (request, reply) => {
      const document = await getConnection(context, request.params.id);
      addLocations(document, apiBase(request));
      return reply
        .type("application/json; charset=utf-8")
        .header("Content-Disposition", `attachment; filename="${document.id ?? "connection"}.json"`)
        .send(`${JSON.stringify(document, null, 2)}\n`);
    });

    app.get("/connections/:id/copy", { schema: { params: IdParams } }, async (request, reply) => {
      const source = await getConnection(context, request.params.id);
      const values = { entityId: "", name: `${source.name} (copy)` };
      return sendPage(reply, copyPage({ viewer: viewerOf(request), source, values, errors: [] }));
    });

    app.post(
      "/connections/:id/copy",
      { schema: { params: IdParams, body: CopyForm } },
      async (request, reply) => {
        const source = await getConnection(context, request.params.id);
        const values = { entityId: request.body.entityId.trim(), name: request.body.name.trim() };
        const missing: FormErrors = [
          ...(values.entityId ? [] : [{ field: "entityId", message: "enter the copy's entity ID" }]),
          ...(values.name ? [] : [{ field: "name", message: "enter the copy's connection name" }]),
        ];
        let errors = missing;
        if (missing.length === 0) {
          try {
            const copy = await copyConnection(context, actorOf(request), source.id ?? "", values);
            return redirectWithNotice(
              request,
              reply,
              "/console/connections",
              `Copied "${source.name}" as "${copy.name}": inactive, without outbound provisioning.`,
            );
          } catch (error) {
            errors = errorsOf(error);
          }
        }
        return sendPage(reply, copyPage({ viewer: viewerOf(request), source, values, errors }), 422);
      },
    );

    app.get("/connections/import", async (request, reply) =>
      sendPage(reply, importPage({ viewer: viewerOf(request), errors: [] })),
    );

    app.post("/connections/import", { schema: { body: ImportForm } }, async (request, reply) => {
      const read = readImport(request.body.file, request.body.document);
      let errors: FormErrors;
      if ("document" in read) {
        try {
          const created = await createConnection(context, actorOf(request), read.document);
          const warnings = unsupportedWarnings(created);
          return sendPage(
            reply,
            importedPage({ viewer: viewerOf(request), connection: created, warnings }),
            201,
          );
        } catch (error) {
          errors = errorsOf(error);
        }
      } else {
        errors = read.errors;
      }
      return sendPage(reply, importPage({ viewer: viewerOf(request), errors }), 422);
    });

    app.get("/connections/:id/delete", { schema: { params: IdParams } }, async (request, reply) => {
      const connection = await getConnection(context, request.params.id);
      return sendPage(reply, deletePage({ viewer: viewerOf(request), connection }));
    });

    app.post(
      "/connections/:id/delete",
      { schema: { params: IdParams, body: Csrf } },
      async (request, reply) => {
        const connection = await getConnection(context, request.params.id);
        await deleteConnection(context, actorOf(request), request.params.id);
        return redirectWithNotice(
          request,
          reply,
          "/console/connections",
          `Deleted the connection "${connection.name}".`,
        );
      },
    );
  };
