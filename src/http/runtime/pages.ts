import { html, type SafeHtml } from "../html.ts";

const style = `
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;background:#f4f6f8;color:#1b1f23;margin:0}
main{max-width:26rem;margin:6vh auto;background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:2rem}
h1{font-size:1.4rem;margin:0 0 1rem}label{display:block;margin:1rem 0 .3rem;font-weight:600}
input[type=text],input[type=password]{width:100%;box-sizing:border-box;padding:.6rem;font-size:1rem;border:1px solid #8c959f;border-radius:4px}
button{margin-top:1.5rem;width:100%;padding:.7rem;font-size:1rem;background:#0b5cad;color:#fff;border:0;border-radius:4px;cursor:pointer}
.alert{background:#ffebe9;border:1px solid #ff8182;padding:.7rem;border-radius:4px;margin-bottom:1rem}
.muted{color:#57606a;font-size:.9rem}code{word-break:break-all}`;

const page = (title: string, nonce: string, body: SafeHtml): string =>
  html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${title}</title><style nonce="${nonce}">${{ __html: style }}</style></head>
<body><main>${body}</main></body></html>`.__html;

/** The sign-in form: plain HTML that works without JavaScript, with labelled fields. */
export const loginPage = (options: {
  nonce: string;
  action: string;
  resume: string;
  username?: string | undefined;
  error?: string | undefined;
  partnerName?: string | undefined;
}): string =>
  page(
    "Sign in",
    options.nonce,
    html`<h1>Sign in</h1>
${options.partnerName ? html`<p class="muted">to continue to ${options.partnerName}</p>` : ""}
${options.error ? html`<div class="alert" role="alert" id="error">${options.error}</div>` : ""}
<form method="post" action="${options.action}">
<input type="hidden" name="resume" value="${options.resume}">
<label for="username">Username</label>
<input type="text" id="username" name="username" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${options.username ?? ""}"${options.error ? html` aria-describedby="error"` : ""}>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`,
  );

/**
 * The HTTP-POST binding's form (saml-bindings §3.5.4): submits itself with a nonce'd script,
 * and shows a Continue button when scripts are off.
 */
export const autoPostPage = (options: {
  nonce: string;
  action: string;
  fields: Readonly<Record<string, string | undefined>>;
}): string =>
  page(
    "Continue",
    options.nonce,
    html`<h1>Signing you in…</h1>
<form method="post" action="${options.action}" id="saml-post">
${Object.entries(options.fields)
  .filter((entry): entry is [string, string] => entry[1] !== undefined)
  .map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<noscript><p class="muted">JavaScript is off: press Continue to go on.</p></noscript>
<button type="submit">Continue</button>
</form>
<script nonce="${options.nonce}">document.getElementById("saml-post").submit();</script>`,
  );

/** An error the browser user sees when no trusted address exists to send a SAML error to. */
export const errorPage = (options: {
  nonce: string;
  title: string;
  message: string;
  correlationId: string;
  code: string;
}): string =>
  page(
    options.title,
    options.nonce,
    html`<h1>${options.title}</h1>
<p role="alert">${options.message}</p>
<p class="muted">If you contact your administrator, give them this reference: <code>${options.correlationId}</code> (${options.code}).</p>`,
  );

export const messagePage = (options: { nonce: string; title: string; message: string }): string =>
  page(options.title, options.nonce, html`<h1>${options.title}</h1><p>${options.message}</p>`);
