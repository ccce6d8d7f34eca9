import assert from "node:assert/strict";
import { ErrorsSection } from "./test_with_stack.ts";

Deno.test("the ERRORS section is kept from its heading on, without colours, across pieces", () => {
  const section = new ErrorsSection();
  section.add("running 2 tests\na ... \x1b[32mok\x1b[0m\n\n\x1b[1m\x1b[37m\x1b[41m ERR");
  section.add("ORS \x1b[0m\n\nb => ./b_test.ts:3:6\nerror: boom\n");
  section.add("\n FAILURES \n\nb => ./b_test.ts:3:6\n\nFAILED | 1 passed | 1 failed\n");
  assert.equal(
    section.text(),
    " ERRORS \n\nb => ./b_test.ts:3:6\nerror: boom\n\n FAILURES \n\nb => ./b_test.ts:3:6\n\n" +
      "FAILED | 1 passed | 1 failed\n",
  );
});

Deno.test("a run without failures has no ERRORS section", () => {
  const section = new ErrorsSection();
  section.add("running 1 test\na ... ok\n\nok | 1 passed | 0 failed\n");
  assert.equal(section.text(), "");
});

Deno.test("a long ERRORS section is cut at 16,000 characters", () => {
  const section = new ErrorsSection();
  section.add(" ERRORS \n");
  for (let i = 0; i < 100; i++) section.add("x".repeat(1000));
  assert.equal(section.text().length, 16_000);
});
