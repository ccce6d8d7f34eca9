import assert from "node:assert/strict";
import { AlertValidationError } from "../validation.ts";
import { keepSecrets, maskChannel, parseChannel, SECRET_MASK, smtpPort } from "./config.ts";

function rejection(input: unknown): AlertValidationError {
  try {
    parseChannel(input);
  } catch (error) {
    assert.ok(error instanceof AlertValidationError, String(error));
    return error;
  }
  assert.fail("expected an AlertValidationError");
}

Deno.test("channel bodies are validated with the field, the expectation and what was found", () => {
  assert.match(
    rejection({ name: "x", type: "pager", url: "https://x.test" }).message,
    /type: expected one of "webhook", "slack", "email", "alertmanager", found "pager"/,
  );
  assert.deepEqual(rejection({ name: "x", type: "webhook", url: "ftp://x.test/h" }).issues, [{
    path: "url",
    message: 'expected an absolute http:// or https:// URL, found "ftp://x.test/h"',
  }]);
  assert.equal(
    rejection({ name: "x", type: "webhook" }).issues[0].message,
    "expected a string, found nothing",
  );
  assert.match(
    rejection({ name: "x", type: "webhook", url: "https://x.test", secret: "short" }).issues[0]
      .message,
    /expected at least 16 characters, found "short"/,
  );
  const mail = { name: "m", type: "email", host: "smtp.x.test", from: "a@x.test" };
  assert.equal(rejection(mail).issues[0].path, "to");
  assert.equal(
    rejection({ ...mail, to: [] }).issues[0].message,
    "expected at least 1 entries, found an array of 0",
  );
  assert.equal(
    rejection({ ...mail, to: ["ops@x.test\r\nBcc: evil@x.test"] }).issues[0].path,
    "to.0",
    "no header injection through an address",
  );
  assert.match(
    rejection({ ...mail, to: ["o@x.test"], tls: "none", username: "u", password: "p" }).message,
    /tls: expected "starttls" or "tls" when a password is set/,
  );
  assert.equal(rejection({ ...mail, to: ["o@x.test"], username: "u" }).issues[0].path, "password");
});

Deno.test("masked channels never carry a secret, and a masked update keeps the stored one", () => {
  const secret = "s3cr3t-webhook-key-0123456789";
  const webhook = parseChannel({
    name: "w",
    type: "webhook",
    url: "https://hooks.x.test/a?token=abc123",
    secret,
  });
  const slack = parseChannel({
    name: "s",
    type: "slack",
    url: "https://hooks.slack.com/services/T0/B0/verysecretpath",
  });
  const email = parseChannel({
    name: "e",
    type: "email",
    host: "smtp.x.test",
    from: "a@x.test",
    to: ["o@x.test"],
    username: "user",
    password: "hunter2-password",
  });
  const shown = JSON.stringify([webhook, slack, email].map(maskChannel));
  for (const leaked of [secret, "abc123", "verysecretpath", "hunter2-password"]) {
    assert.equal(shown.includes(leaked), false, `${leaked} leaked`);
  }
  assert.ok(slack.type === "slack" && webhook.type === "webhook");
  assert.equal(maskChannel(slack).url, `https://hooks.slack.com/${SECRET_MASK}`);
  const updated = parseChannel(keepSecrets({ ...maskChannel(webhook), url: webhook.url }, webhook));
  assert.ok(updated.type === "webhook");
  assert.equal(updated.secret, secret);
  const renamed = keepSecrets({ ...maskChannel(webhook), name: "other" }, webhook) as {
    secret: string;
  };
  assert.equal(renamed.secret, SECRET_MASK, "another channel's secret is never copied");
});

Deno.test("SMTP ports default by TLS mode", () => {
  assert.equal(smtpPort({ tls: "tls" }), 465);
  assert.equal(smtpPort({ tls: "starttls" }), 587);
  assert.equal(smtpPort({ tls: "none" }), 25);
  assert.equal(smtpPort({ tls: "none", port: 1025 }), 1025);
});
