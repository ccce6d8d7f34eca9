/**
 * Alerts: rules on latency, errors, cost, feedback, drift and pipeline health; a Prometheus-like
 * state machine (inactive → pending → firing → resolved) whose every change is an `llm.alert.v1`
 * record; Benjamini–Hochberg correction of drift p-values; channels (webhook, Slack, email,
 * Alertmanager) and a durable outbox that delivers each notification once.
 *
 * The pure parts (rules, evaluation, state machine, outbox, channel configuration and payloads)
 * use no `Deno.*`; only the SMTP client and the senders do I/O.
 *
 * @example
 * ```ts
 * import { AlertEngine, Outbox, parseRule } from "./mod.ts";
 * const rule = parseRule({ name: "slow p95", kind: "metric", metric: "latency_p95_s", op: ">",
 *   threshold: 2, window_s: 300, for_s: 60 });
 * const engine = new AlertEngine();
 * const outbox = new Outbox();
 * for (const record of engine.evaluate([rule], { responses: [] })) outbox.apply(record);
 * ```
 *
 * @module
 */

export * from "./validation.ts";
export * from "./rules.ts";
export * from "./fdr.ts";
export * from "./evaluate.ts";
export * from "./input_window.ts";
export * from "./fingerprint.ts";
export * from "./silence.ts";
export * from "./state_machine.ts";
export * from "./engine.ts";
export * from "./outbox.ts";
export * from "./deliver.ts";
export * from "./config_store.ts";
export * from "./service.ts";
export * from "./backtest.ts";
export * from "./channels/mod.ts";
export * from "../events/alert.ts";
