/**
 * The sign-in page shown when the server runs with `LLMOPS_TOKEN`: a plain HTML form posting
 * to `/login`, with no script and no inline style, so the strict Content-Security-Policy holds.
 *
 * @module
 */

/** The sign-in page's stylesheet (served at `/login.css`). */
export const LOGIN_STYLES = `body{font-family:system-ui,sans-serif;background:#f5f6f8;margin:0}
main{max-width:24rem;margin:12vh auto;background:#fff;padding:2rem;border-radius:8px;
box-shadow:0 1px 4px rgba(0,0,0,.12)}
h1{font-size:1.25rem;margin:0 0 1rem}
label{display:block;margin-bottom:.5rem}
input{width:100%;box-sizing:border-box;padding:.5rem;font:inherit;margin-bottom:1rem}
button{padding:.5rem 1rem;font:inherit;cursor:pointer}
.error{color:#b00020}
`;

/**
 * The sign-in page, with an optional error line (static text only: nothing from the request is
 * echoed into the page).
 *
 * @example
 * ```ts
 * const html = loginPage("That token is not the one this server was started with.");
 * ```
 */
export function loginPage(error?: string): string {
  const message = error ? `<p class="error" role="alert">${escapeHtml(error)}</p>\n` : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · LLM monitoring workbench</title>
<link rel="stylesheet" href="/login.css">
</head>
<body>
<main>
<h1>LLM monitoring workbench</h1>
${message}<form method="post" action="/login">
<label for="token">Access token (LLMOPS_TOKEN)</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Sign in</button>
</form>
</main>
</body>
</html>
`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
