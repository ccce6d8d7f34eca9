/** The product's Kafka topics. */
export const TOPICS = Object.freeze(
  {
    requests: "llm.requests",
    responses: "llm.responses",
    dlq: "llm.dlq",
  } as const,
);

/** Consumer groups of the product's independent consumers. */
export const GROUPS = Object.freeze(
  {
    worker: "llm-worker",
    mlflowSink: "mlflow-sink",
    driftMonitor: "drift-monitor",
  } as const,
);
