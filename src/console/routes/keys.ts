import { type Static, Type } from "@sinclair/typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ServiceContext } from "../../services/context.ts";
import { importSigningKeyFile, subjectDnOf } from "../../services/key-files.ts";
import {
  deleteSigningKey,
  generateSigningKey,
  getSigningCertificatePem,
  listSigningKeys,
  setDefaultSigningKey,
} from "../../services/keys.ts";
import {
  actorOf,
  type ConsoleRoutes,
  redirectWithNotice,
  sendPage,
  takeNotice,
  viewerOf,
} from "../request.ts";
import { formErrorsOf } from "../views/format.ts";
import { type GenerateForm, type ImportForm, keysPage, keyTypes } from "../views/keys.ts";

const csrf = Type.String({ maxLength: 200 });
const text = Type.String({ maxLength: 256 });
const GenerateBody = Type.Object({
  _csrf: csrf,
  commonName: text,
  organization: text,
  organizationUnit: text,
  city: text,
  state: text,
  country: text,
  keyType: Type.Union(keyTypes.map((t) => Type.Literal(t))),
  validDays: text,
  id: text,
  makeDefault: Type.Optional(Type.Literal("on")),
});
const ImportBody = Type.Object({
  _csrf: csrf,
  format: Type.Union([Type.Literal("PKCS12"), Type.Literal("PEM")]),
  // The file: a Buffer from the multipart reader (app.ts); narrowed in the handler.
  file: Type.Optional(Type.Unsafe<unknown>({})),
  password: Type.String({ maxLength: 1024 }),
  id: text,
  makeDefault: Type.Optional(Type.Literal("on")),
});
const KeyId = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/** The form's problems the admin API's schema would catch, each said next to its field. */
const checkGenerate = (body: Static<typeof GenerateBody>): Record<string, string> => {
  const errors: Record<string, string> = {};
  for (const name of ["commonName", "organization", "organizationUnit", "city", "state"] as const)
    if (body[name].trim().length > 64) errors[name] = "At most 64 characters.";
  if (body.country.trim() !== "" && !/^[A-Z]{2}$/.test(body.country.trim()))
    errors.country = "Two capital letters (ISO 3166), for example US.";
  const days = Number(body.validDays);
  if (!/^[0-9]{1,5}$/.test(body.validDays.trim()) || days < 1 || days > 36500)
    errors.validDays = "A whole number of days from 1 to 36500.";
  return errors;
};

const optional = (value: string) => (value.trim() === "" ? undefined : value.trim());

/** Signing keys: the list with expiry warnings, generate, import, the certificate, the default. */
export const keyRoutes =
  (context: ServiceContext): ConsoleRoutes =>
  async (app) => {
    const show = async (
      request: FastifyRequest,
      reply: FastifyReply,
      forms: { generate?: GenerateForm; import?: ImportForm } = {},
      status = 200,
    ) =>
      sendPage(
        reply,
        keysPage({
          viewer: viewerOf(request),
          notice: takeNotice(request, reply),
          keys: await listSigningKeys(context),
          ...forms,
        }),
        status,
      );

    app.get("/keys", async (request, reply) => show(request, reply));

    app.post("/keys/generate", { schema: { body: GenerateBody } }, async (request, reply) => {
      const { _csrf, makeDefault, ...typed } = request.body;
      const form = { ...typed, makeDefault: makeDefault === "on" };
      let errors = checkGenerate(request.body);
      if (Object.keys(errors).length === 0) {
        const [algorithm, size] = typed.keyType.split("-");
        try {
          const actor = actorOf(request);
          const key = await generateSigningKey(context, actor, {
            id: optional(typed.id),
            subjectDN: subjectDnOf({
              commonName: optional(typed.commonName),
              organization: optional(typed.organization),
              organizationUnit: optional(typed.organizationUnit),
              city: optional(typed.city),
              state: optional(typed.state),
              country: optional(typed.country),
            }),
            keyAlgorithm: algorithm === "EC" ? "EC" : "RSA",
            keySize: Number(size),
            validDays: Number(typed.validDays),
          });
          if (form.makeDefault) await setDefaultSigningKey(context, actor, key.id);
          return redirectWithNotice(request, reply, "/console/keys", `Key pair "${key.id}" generated.`);
        } catch (error) {
          errors = { ...formErrorsOf(error, { KEY_EXISTS: "id", KEY_UNSUPPORTED: "keyType" }) };
        }
      }
      return show(request, reply, { generate: { ...form, errors } }, 422);
    });

    app.post("/keys/import", { schema: { body: ImportBody } }, async (request, reply) => {
      const { format, file, password, id } = request.body;
      const form = { format, id, makeDefault: request.body.makeDefault === "on" };
      const failed = (errors: Record<string, string>) =>
        show(request, reply, { import: { ...form, errors } }, 422);
      if (!Buffer.isBuffer(file) || file.length === 0) return failed({ file: "Choose the file to import." });
      try {
        const actor = actorOf(request);
        const key = await importSigningKeyFile(context, actor, {
          id: optional(id),
          format,
          fileData: format === "PKCS12" ? file.toString("base64") : file.toString("utf8"),
          password: password === "" && format === "PEM" ? undefined : password,
        });
        if (form.makeDefault) await setDefaultSigningKey(context, actor, key.id);
        return redirectWithNotice(request, reply, "/console/keys", `Key pair "${key.id}" imported.`);
      } catch (error) {
        const { fileData, ...errors } = formErrorsOf(error, {
          KEY_EXISTS: "id",
          KEY_PKCS12_INVALID: "file",
          KEY_INVALID_PEM: "file",
          KEY_MISMATCH: "file",
          KEY_UNSUPPORTED: "file",
        });
        return failed(fileData === undefined ? errors : { ...errors, file: fileData });
      }
    });

    app.get("/keys/:id/certificate", { schema: { params: KeyId } }, async (request, reply) => {
      const { id } = request.params;
      const pem = await getSigningCertificatePem(context, id);
      return reply
        .type("application/x-pem-file")
        .header("Content-Disposition", `attachment; filename="${id.replace(/[^a-zA-Z0-9._-]/g, "_")}.crt"`)
        .send(pem);
    });

    app.post("/keys/:id/default", { schema: { params: KeyId } }, async (request, reply) => {
      await setDefaultSigningKey(context, actorOf(request), request.params.id);
      return redirectWithNotice(
        request,
        reply,
        "/console/keys",
        `Key pair "${request.params.id}" is now the server's default signing key.`,
      );
    });

    app.post("/keys/:id/delete", { schema: { params: KeyId } }, async (request, reply) => {
      await deleteSigningKey(context, actorOf(request), request.params.id);
      return redirectWithNotice(request, reply, "/console/keys", `Key pair "${request.params.id}" deleted.`);
    });
  };
