/**
 * Test helper: XSS payloads submitted as prompts, and a DOM probe that finds any element one of
 * them could have created.
 *
 * @module
 */

/** Classic XSS payloads (HTML, attribute, URL, template and mutation-XSS vectors). */
export const XSS_PAYLOADS: readonly string[] = [
  "<img src=x onerror=alert(1)>",
  "<script>alert(1)</script>",
  "<svg onload=alert(1)>",
  '"><img src=x onerror=alert(1)>',
  "javascript:alert(1)",
  "<iframe src=javascript:alert(1)>",
  '<a href="javascript:alert(1)">x</a>',
  "<body onload=alert(1)>",
  "<details open ontoggle=alert(1)>",
  "{{constructor.constructor('alert(1)')()}}",
  "<math><mtext></mtext><mglyph><svg><mtext><style><img src=x onerror=alert(1)></style></mtext></svg></mglyph></math>",
  "<input autofocus onfocus=alert(1)>",
  "<video><source onerror=alert(1)>",
  "'-alert(1)-'",
  "<style>@import'javascript:alert(1)'</style>",
  "<object data=javascript:alert(1)>",
  "<marquee onstart=alert(1)>",
  "<isindex action=javascript:alert(1) type=image>",
  "<form><button formaction=javascript:alert(1)>x</button></form>",
  "%3Cscript%3Ealert(1)%3C/script%3E",
  "<embed src=javascript:alert(1)>",
  "<img src=x onerror=&#97;&#108;&#101;&#114;&#116;(1)>",
  "</pre><script>alert(1)</script><pre>",
  "<scr<script>ipt>alert(1)</scr</script>ipt>",
];

/**
 * Runs in the page: describes every element a payload could have injected. The dashboard itself
 * has no inline handlers, frames, embedded objects, media, body scripts or inline styles, so any
 * of these is a finding.
 */
export function injectedElements(): string[] {
  const selectors = [
    'img[src="x"]',
    "iframe",
    "object",
    "embed",
    "video",
    "audio",
    "source",
    "marquee",
    "isindex",
    "math",
    "mglyph",
    "input[autofocus]",
    "[formaction]",
    "[action^='javascript:' i]",
    "[href^='javascript:' i]",
    "[src^='javascript:' i]",
    "[data^='javascript:' i]",
    "body script",
    "body style",
    "svg[onload]",
    "details[ontoggle]",
    "body[onload]",
  ];
  const found: string[] = [];
  const describe = (el: Element) => el.outerHTML.slice(0, 160);
  for (const selector of selectors) {
    for (const el of document.querySelectorAll(selector)) {
      found.push(`${selector}: ${describe(el)}`);
    }
  }
  for (const el of document.querySelectorAll("*")) {
    for (const attr of el.attributes) {
      if (/^on/i.test(attr.name)) found.push(`[${attr.name}]: ${describe(el)}`);
    }
  }
  return found;
}
