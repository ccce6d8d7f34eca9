// Email through a real Mailpit (built from its Go module), read back through Mailpit's API.
import assert from "node:assert/strict";
import { loadStackConfig } from "../../stack/config.ts";
import {
  createTestCertificates,
  type RunningMailpit,
  startMailpit,
  type TestCertificates,
} from "../../stack/mailpit.ts";
import { waitFor } from "../../stack/testing.ts";
import { sampleNotification } from "../_testing.ts";
import { type EmailChannel, parseChannel } from "./config.ts";
import { sendEmail } from "./email.ts";
import { DeliveryError } from "./types.ts";

const config = loadStackConfig();
const progress = (line: string) => console.error(line);

interface MailpitMessage {
  ID: string;
  MessageID: string;
  Subject: string;
  From: { Address: string };
  To: { Address: string }[];
  Text: string;
  HTML: string;
}

/** The newest message Mailpit holds, in full (waits until one arrived). */
async function newestMessage(mailpit: RunningMailpit): Promise<MailpitMessage> {
  let id = "";
  await waitFor(
    async () => {
      const list = await (await fetch(`${mailpit.url}/api/v1/messages`)).json();
      id = list.messages?.[0]?.ID ?? "";
      return id !== "";
    },
    "a message in Mailpit",
    15_000,
  );
  return await (await fetch(`${mailpit.url}/api/v1/message/${id}`)).json();
}

async function headersOf(mailpit: RunningMailpit, id: string): Promise<Record<string, string[]>> {
  return await (await fetch(`${mailpit.url}/api/v1/message/${id}/headers`)).json();
}

function emailChannel(mailpit: RunningMailpit, extra: Record<string, unknown>): EmailChannel {
  const channel = parseChannel({
    name: "mail",
    type: "email",
    host: "127.0.0.1",
    port: mailpit.smtpPort,
    from: "alerts@llmops.test",
    to: ["oncall@llmops.test", "lead@llmops.test"],
    ...extra,
  });
  assert.ok(channel.type === "email");
  return channel;
}

async function withCertificates<T>(fn: (certs: TestCertificates) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir({ prefix: "llmops-certs-" });
  try {
    return await fn(await createTestCertificates(dir));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("an alert email over plain SMTP arrives in Mailpit with its subject, plain-text body and recipients", async () => {
  const mailpit = await startMailpit(config, {}, progress);
  try {
    const channel = emailChannel(mailpit, { tls: "none" });
    const n = sampleNotification({
      rule_name: "slow p95 — café <b>bold</b>",
      detail: "<script>alert(1)</script> stays text",
    });
    await sendEmail(channel, n, { dashboardUrl: "http://127.0.0.1:8000" });
    const message = await newestMessage(mailpit);
    assert.equal(
      message.Subject,
      "[FIRING] slow p95 — café <b>bold</b>: 2.345 (threshold 2), warning",
      "a non-ASCII subject survives RFC 2047 encoding",
    );
    assert.equal(message.From.Address, "alerts@llmops.test");
    assert.deepEqual(message.To.map((t) => t.Address), ["oncall@llmops.test", "lead@llmops.test"]);
    assert.equal(message.HTML, "", "no HTML part, ever");
    assert.match(message.Text, /State: +firing/);
    assert.match(message.Text, /Value: +2\.345/);
    assert.match(message.Text, /Threshold: +2/);
    assert.match(message.Text, new RegExp(`Fingerprint: ${n.fingerprint}`));
    assert.match(message.Text, /<script>alert\(1\)<\/script> stays text/);
    assert.match(message.Text, /Dashboard: http:\/\/127\.0\.0\.1:8000\/#alerts\/0123456789abcdef/);
    assert.equal(message.MessageID, `${n.key.replaceAll(":", ".")}@llmops.test`);
    const headers = await headersOf(mailpit, message.ID);
    assert.deepEqual(headers["X-Llmops-Idempotency-Key"] ?? headers["X-LLMOPS-Idempotency-Key"], [
      n.key,
    ]);
  } finally {
    await mailpit.stop();
  }
});

Deno.test("STARTTLS with a certificate from a private CA, and AUTH, deliver to Mailpit; an untrusted certificate is refused", async () => {
  await withCertificates(async (certs) => {
    const mailpit = await startMailpit(config, {
      tls: { certFile: certs.certFile, keyFile: certs.keyFile },
      requireStartTls: true,
      authAcceptAny: true,
    }, progress);
    try {
      const trusted = emailChannel(mailpit, {
        tls: "starttls",
        ca_pem: certs.caPem,
        username: "alerts",
        password: "a-password",
      });
      await sendEmail(trusted, sampleNotification({ state: "resolved", seq: 2, ended_at: 1 }), {});
      const message = await newestMessage(mailpit);
      assert.match(message.Subject, /^\[RESOLVED\] slow p95/);
      assert.match(message.Text, /Resolved: +1970-01-01T00:00:00\.001Z/);

      const untrusted = emailChannel(mailpit, { tls: "starttls" });
      await assert.rejects(sendEmail(untrusted, sampleNotification(), {}), (error) => {
        assert.ok(error instanceof DeliveryError);
        assert.match(error.message, /certificate|UnknownIssuer/i);
        return true;
      });
      const plain = emailChannel(mailpit, { tls: "none" });
      await assert.rejects(sendEmail(plain, sampleNotification(), {}), (error) => {
        assert.ok(error instanceof DeliveryError);
        assert.match(error.message, /MAIL FROM answered 5\d\d/);
        assert.equal(error.retryable, false);
        return true;
      }, "a server that requires STARTTLS refuses a plain client");
    } finally {
      await mailpit.stop();
    }
  });
});

Deno.test("implicit TLS (SMTPS) delivers to Mailpit", async () => {
  await withCertificates(async (certs) => {
    const mailpit = await startMailpit(config, {
      tls: { certFile: certs.certFile, keyFile: certs.keyFile },
      requireTls: true,
    }, progress);
    try {
      const channel = emailChannel(mailpit, { tls: "tls", ca_pem: certs.caPem });
      await sendEmail(channel, sampleNotification({ rule_name: "implicit tls" }), {});
      const message = await newestMessage(mailpit);
      assert.match(message.Subject, /^\[FIRING\] implicit tls/);
    } finally {
      await mailpit.stop();
    }
  });
});
