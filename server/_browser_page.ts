/**
 * Test helper: launches Debian's Chromium through playwright-core and watches a page for
 * console errors, page errors, dialogs, failed HTTP answers, document loads and calls of `alert`
 * and friends.
 *
 * @module
 */

import { type Browser, chromium, type Page } from "playwright-core";

/** Chromium's flags for a headless run without network side traffic. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/** Launches /usr/bin/chromium (never a downloaded browser). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: "/usr/bin/chromium", args: [...CHROMIUM_ARGS] });
}

/** What the page did that a test wants to see. */
export interface PageWatch {
  consoleErrors: string[];
  pageErrors: string[];
  dialogs: string[];
  /** HTTP answers of 400 and above that the page received: status, URL and body. */
  failedResponses: string[];
  /** URLs of the documents the page loaded (the first load included; hash changes are not loads). */
  loads: string[];
  /** Calls of alert/confirm/prompt/print/open recorded in the page since the last load. */
  scriptCalls(): Promise<string[]>;
}

/** Name of the array in the page that records calls of the dialog functions. */
const CALLS = "__dialogCalls";

/**
 * Installs the watchers on a page before it loads: `alert`, `confirm`, `prompt`, `print` and
 * `open` are replaced by functions that record their arguments, dialogs are recorded and
 * dismissed, and console/page errors are collected.
 */
export async function watchPage(page: Page): Promise<PageWatch> {
  const watch: Omit<PageWatch, "scriptCalls"> = {
    consoleErrors: [],
    pageErrors: [],
    dialogs: [],
    failedResponses: [],
    loads: [],
  };
  await page.addInitScript((name: string) => {
    const calls: string[] = [];
    Object.defineProperty(globalThis, name, { value: calls });
    for (const fn of ["alert", "confirm", "prompt", "print", "open"]) {
      Object.defineProperty(globalThis, fn, {
        configurable: false,
        writable: false,
        value: (...args: unknown[]) => {
          calls.push(`${fn}(${args.map(String).join(", ")})`);
          return fn === "confirm" ? false : fn === "prompt" ? null : undefined;
        },
      });
    }
  }, CALLS);
  page.on("console", (message) => {
    if (message.type() === "error") {
      const where = message.location();
      watch.consoleErrors.push(`${message.text()} (${where.url}:${where.lineNumber})`);
    }
  });
  page.on("pageerror", (error) => watch.pageErrors.push(String(error?.stack ?? error)));
  page.on("dialog", (dialog) => {
    watch.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    dialog.dismiss().catch(() => {});
  });
  page.on("load", () => watch.loads.push(page.url()));
  page.on("response", (response) => {
    if (response.status() < 400) return;
    response.text().catch((error) => `(body unreadable: ${error})`).then((body) =>
      watch.failedResponses.push(`${response.status()} ${response.url()}: ${body.slice(0, 500)}`)
    );
  });
  return {
    ...watch,
    scriptCalls: () =>
      page.evaluate(
        (name: string) => [...((globalThis as Record<string, unknown>)[name] as string[] ?? [])],
        CALLS,
      ),
  };
}

/** The `data-value` of the element with `data-testid=testId`, as a number (NaN when absent). */
export async function dataValue(page: Page, testId: string): Promise<number> {
  const raw = await page.getByTestId(testId).first().getAttribute("data-value");
  return raw === null ? NaN : Number(raw);
}
