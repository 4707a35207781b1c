import { html } from 'hono/html'
import { APP_CSS_VERSION } from '../app-css.ts'

/** The sign-in form: the admin token, a CSRF field, and where to go afterwards. */
export async function loginPage(o: { csrf: string; next: string; error?: string }): Promise<string> {
  return String(
    await html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · app admin</title>
<link rel="stylesheet" href="/static/app.css?v=${APP_CSS_VERSION}">
</head>
<body>
<main>
<form class="login" method="post" action="/login">
<h1>app admin</h1>
${o.error ? html`<p class="error" role="alert">${o.error}</p>` : ''}
<label for="token">Admin token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<label for="name">Your name <span class="muted">(optional: shown on what you acknowledge or change)</span></label>
<input id="name" name="name" type="text" autocomplete="name" maxlength="80">
<input type="hidden" name="csrf" value="${o.csrf}">
<input type="hidden" name="next" value="${o.next}">
<button type="submit">Sign in</button>
<p class="muted">The token is APP_ADMIN_TOKEN, or the one printed on first start and kept in <code>data/admin-token</code>.</p>
</form>
</main>
</body>
</html>
`,
  )
}
