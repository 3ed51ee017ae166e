import { Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { addVerificationCert, removeCert } from "../../services/console/verification-certs-edit.ts";
import type { ServiceContext } from "../../services/context.ts";
import { redirectWithNotice, sendPage } from "../request.ts";
import type { Viewer } from "../views/layout.ts";
import { credentialsPage, type Target } from "./connection-sso-handlers.ts";

/**
 * The Credentials tab's certificate list, for a wizard draft and a stored connection alike: upload
 * the SP's signing certificate (a multipart form: the file arrives as a Buffer), or remove one.
 */
export const CertsForm = Type.Object({
  _csrf: Type.String(),
  op: Type.Union([Type.Literal("add"), Type.Literal("remove")]),
  row: Type.Optional(Type.String({ pattern: "^[0-9]{1,2}$" })),
  certificate: Type.Optional(Type.Unsafe<unknown>({})),
});

export const postCerts = async (
  context: ServiceContext,
  request: FastifyRequest,
  reply: FastifyReply,
  viewer: Viewer,
  target: Target,
  body: typeof CertsForm.static,
) => {
  const file = Buffer.isBuffer(body.certificate) ? body.certificate : Buffer.alloc(0);
  const { document, errors } =
    body.op === "add"
      ? addVerificationCert(target.document, file)
      : removeCert(target.document, Number(body.row ?? "-1"));
  const refused = errors.length > 0 ? errors : await target.commit(document, "acs");
  if (refused.length > 0) {
    const page = await credentialsPage(context, viewer, target, target.document, [], undefined, refused);
    return sendPage(reply, page, 422);
  }
  const done = body.op === "add" ? "Added the verification certificate" : "Removed the certificate";
  return redirectWithNotice(request, reply, `${target.path("credentials")}#certs-h`, `${done}.`);
};
