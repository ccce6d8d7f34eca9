/**
 * The dashboard page: a static HTML shell (no inline script or style) under a strict
 * Content-Security-Policy, the client bundle and the stylesheet.
 *
 * @module
 */

import { Hono } from "hono";

/** The page's Content-Security-Policy: scripts only from this origin, never inline. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join("; ");

const SHELL = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>LLM monitoring workbench</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/app.css">
<script type="module" src="/static/app.js"></script>
</head>
<body>
<div id="app"><noscript>The dashboard needs JavaScript.</noscript></div>
</body>
</html>
`;

/** Static assets the page loads. */
export interface PageAssets {
  /** The bundled client (JavaScript). */
  script: () => Promise<string>;
  /** The stylesheet. */
  styles: () => Promise<string>;
}

/** Routes of the page and its assets. */
export function pageRoutes(assets: PageAssets): Hono {
  const app = new Hono();
  app.get("/", (c) => c.html(SHELL));
  app.get("/static/app.js", async (c) =>
    c.body(await assets.script(), 200, {
      "content-type": "text/javascript; charset=utf-8",
      "cache-control": "no-cache",
    }));
  app.get("/static/app.css", async (c) =>
    c.body(await assets.styles(), 200, {
      "content-type": "text/css; charset=utf-8",
      "cache-control": "no-cache",
    }));
  return app;
}
