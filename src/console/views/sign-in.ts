import { html } from "../../http/html.ts";
import { barePage } from "./layout.ts";

/** The console's sign-in form: plain HTML, labelled "Username" and "Password", no script needed. */
export const signInPage = (o: {
  formToken: string;
  next?: string | undefined;
  username?: string | undefined;
  error?: string | undefined;
  notice?: string | undefined;
}): string =>
  barePage(
    "Sign in to the console",
    html`${o.notice ? html`<div class="notice" role="status">${o.notice}</div>` : ""}
${o.error ? html`<div class="alert" role="alert" id="signin-error">${o.error}</div>` : ""}
<form method="post" action="/console/signin" class="signin">
<input type="hidden" name="_pre" value="${o.formToken}">
${o.next ? html`<input type="hidden" name="next" value="${o.next}">` : ""}
<div class="field"><label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${o.username ?? ""}"${o.error ? html` aria-describedby="signin-error"` : ""}></div>
<div class="field"><label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required></div>
<button type="submit" class="primary">Sign in</button>
</form>`,
  );
