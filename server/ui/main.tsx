/**
 * Browser entry of the dashboard: mounts the app into `#app`. Bundled by the server with
 * `deno bundle --platform browser server/ui/main.tsx` into /static/app.js.
 *
 * @module
 */

import { render } from "preact";
import { App } from "./app.tsx";

const root = document.getElementById("app");
if (root) {
  root.replaceChildren();
  render(<App />, root);
}
