/** The product's Kafka topics. */
export const TOPICS = Object.freeze(
  {
    requests: "llm.requests",
    responses: "llm.responses",
    dlq: "llm.dlq",
    /** User feedback on answers (`llm.feedback.v1`). */
    feedback: "llm.feedback",
    /** The durable history of alert states, notifications and deliveries (`llm.alert.v1`). */
    alerts: "llm.alerts",
  } as const,
);

/** Consumer groups of the product's independent consumers. */
export const GROUPS = Object.freeze(
  {
    worker: "llm-worker",
    mlflowSink: "mlflow-sink",
    driftMonitor: "drift-monitor",
    /** Logs feedback on the requests' MLflow runs. */
    mlflowFeedback: "mlflow-feedback",
    /** Sends every call to MLflow's OTLP endpoint as a trace. */
    mlflowTraces: "mlflow-traces",
    /** Evaluates alert rules over responses, drift and health. */
    alertEvaluator: "alert-evaluator",
  } as const,
);
