import { Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { isAppError } from "../../lib/errors.ts";
import type { ServiceContext } from "../../services/context.ts";
import { createGroup, deleteGroup, listGroups } from "../../services/directory/groups.ts";
import { importCsv } from "../../services/directory/import.ts";
import { listUsers } from "../../services/directory/users.ts";
import {
  actorOf,
  type ConsoleRoutes,
  redirectWithNotice,
  sendPage,
  takeNotice,
  viewerOf,
} from "../request.ts";
import { directoryPage, directoryPageSize, type GroupForm, type ImportReport } from "../views/directory.ts";
import { formErrorsOf } from "../views/format.ts";

const csrf = Type.String({ maxLength: 200 });
const ListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 256 })),
  after: Type.Optional(Type.String({ maxLength: 128 })),
});
const GroupBody = Type.Object({
  _csrf: csrf,
  cn: Type.String({ maxLength: 256 }),
  description: Type.String({ maxLength: 2048 }),
});
const ImportBody = Type.Object({
  _csrf: csrf,
  // The CSV file: a Buffer from the multipart reader (app.ts); narrowed in the handler.
  file: Type.Optional(Type.Unsafe<unknown>({})),
});
const Cn = Type.Object({ cn: Type.String({ minLength: 1, maxLength: 128 }) });

/** The directory's list page, its groups and its CSV import. */
export const directoryRoutes =
  (context: ServiceContext): ConsoleRoutes =>
  async (app) => {
    const show = async (
      request: FastifyRequest,
      reply: FastifyReply,
      o: { q?: string; after?: string; groupForm?: GroupForm; report?: ImportReport } = {},
      status = 200,
    ) => {
      const q = o.q ?? "";
      // One more than a page: whether there is a next one.
      const found = await listUsers(context, {
        limit: directoryPageSize + 1,
        after: o.after,
        ...(q ? { filter: q } : {}),
      });
      const users = found.slice(0, directoryPageSize);
      return sendPage(
        reply,
        directoryPage({
          viewer: viewerOf(request),
          notice: takeNotice(request, reply),
          q,
          after: o.after,
          users,
          next: found.length > directoryPageSize ? users.at(-1)?.uid : undefined,
          groups: await listGroups(context),
          groupForm: o.groupForm,
          report: o.report,
        }),
        status,
      );
    };

    app.get("/directory", { schema: { querystring: ListQuery } }, async (request, reply) =>
      show(request, reply, {
        q: request.query.q?.trim() ?? "",
        ...(request.query.after ? { after: request.query.after } : {}),
      }),
    );

    app.post("/directory/groups", { schema: { body: GroupBody } }, async (request, reply) => {
      const cn = request.body.cn.trim();
      const description = request.body.description.trim();
      try {
        await createGroup(context, actorOf(request), { cn, description: description || null });
      } catch (error) {
        const errors = formErrorsOf(error, { DIR_GROUP_EXISTS: "cn" });
        return show(request, reply, { groupForm: { cn, description, errors } }, 422);
      }
      return redirectWithNotice(request, reply, "/console/directory", `Group "${cn}" created.`);
    });

    app.post("/directory/groups/:cn/delete", { schema: { params: Cn } }, async (request, reply) => {
      await deleteGroup(context, actorOf(request), request.params.cn);
      return redirectWithNotice(
        request,
        reply,
        "/console/directory",
        `Group "${request.params.cn}" deleted.`,
      );
    });

    app.post("/directory/import", { schema: { body: ImportBody } }, async (request, reply) => {
      const file = request.body.file;
      if (!Buffer.isBuffer(file) || file.length === 0)
        return show(
          request,
          reply,
          { report: { ok: false, problems: [{ message: "Choose a CSV file." }] } },
          422,
        );
      try {
        const result = await importCsv(context, actorOf(request), file.toString("utf8"));
        return show(request, reply, { report: { ok: true, result } });
      } catch (error) {
        if (!isAppError(error) || error.code !== "DIR_CSV_INVALID") throw error;
        const problems = error.details.length > 0 ? error.details : [{ message: error.message }];
        return show(request, reply, { report: { ok: false, problems } }, 422);
      }
    });
  };
