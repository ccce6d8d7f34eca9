/**
 * The user id a browser gives feedback as: a random `browser-…` id kept in localStorage, so one
 * browser's thumbs replace each other (the last feedback per request and user counts) and two
 * browsers count as two users. Without storage (private mode), a new id per page.
 *
 * @module
 */

/** localStorage key of the id. */
export const USER_ID_KEY = "llmops_user_id";

const VALID = /^browser-[0-9a-f]{12}$/;

/**
 * This browser's feedback user id.
 *
 * @example
 * ```ts
 * browserUserId(); // "browser-3f9a1c2b7d4e"
 * ```
 */
export function browserUserId(
  storage: Pick<Storage, "getItem" | "setItem"> | null = safeStorage(),
): string {
  const known = storage?.getItem(USER_ID_KEY) ?? null;
  if (known && VALID.test(known)) return known;
  const id = `browser-${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
  try {
    storage?.setItem(USER_ID_KEY, id);
  } catch {
    // storage full or refused: the id lasts for this page
  }
  return id;
}

function safeStorage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null;
  }
}
