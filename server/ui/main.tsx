/**
 * Browser entry of the dashboard: mounts the app into `#app`. Bundled by the server with
 * `deno bundle --platform browser server/ui/main.tsx` into /static/app.js.
 *
 * @module
 */

import { render } from "preact";
import { App } from "./app.tsx";

// no favicon request (and no 404 in the console): an empty inline icon, allowed by img-src data:
if (!document.querySelector("link[rel~='icon']")) {
  const icon = document.createElement("link");
  icon.rel = "icon";
  icon.href = "data:,";
  document.head.append(icon);
}

const root = document.getElementById("app");
if (root) {
  root.replaceChildren();
  render(<App />, root);
}
