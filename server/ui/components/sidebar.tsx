/**
 * The sidebar: service health (Kafka, MLflow, Ollama, workers), consumer lag per group, the
 * live connection and the time zone of displayed times.
 *
 * @module
 */

import type { ComponentChildren } from "preact";
import { useLive } from "../live.ts";
import { useStore, useTimeZone } from "../context.ts";
import { safeHref, timeZoneAbbreviation } from "../format.ts";
import type { HealthReport, KafkaNodeHealth } from "../types.ts";

function ServiceRow(
  { name, testId, healthy, children }: {
    name: string;
    testId: string;
    healthy: boolean | null;
    children?: ComponentChildren;
  },
) {
  const state = healthy === null ? "unknown" : healthy ? "up" : "down";
  return (
    <li
      class={`service service-${state}`}
      data-testid={testId}
      data-healthy={healthy === null ? "unknown" : String(healthy)}
    >
      <span class={`dot dot-${state}`} aria-hidden="true" />
      <span class="service-name">{name}</span>
      <span class="sr-only">
        {healthy === null ? " status unknown" : healthy ? " healthy" : " unhealthy"}
      </span>
      {children ? <div class="service-detail">{children}</div> : null}
    </li>
  );
}

/** "2/2 healthy (1 here, 1 elsewhere) · 3 in flight here", or "no worker running". */
export function workersText(workers: HealthReport["workers"]): string {
  if (workers.length === 0) return "no worker running";
  const healthy = workers.filter((w) => w.healthy).length;
  const here = workers.filter((w) => w.local).length;
  const where = here === workers.length
    ? ""
    : here === 0
    ? ` (${workers.length} elsewhere)`
    : ` (${here} here, ${workers.length - here} elsewhere)`;
  const inFlight = workers.reduce((sum, w) => sum + (w.in_flight ?? 0), 0);
  return `${healthy}/${workers.length} healthy${where}${
    here > 0 ? ` · ${inFlight} in flight` : ""
  }`;
}

/**
 * "2/3 nodes up" for a local cluster of several Kafka nodes, or null for one node (or an
 * external cluster, whose nodes the stack does not run).
 *
 * @example
 * ```ts
 * kafkaNodesText([{ id: 1, pid: 10, port: 9092, healthy: true }]); // null
 * ```
 */
export function kafkaNodesText(nodes: KafkaNodeHealth[] | undefined): string | null {
  if (!nodes || nodes.length < 2) return null;
  return `${nodes.filter((n) => n.healthy).length}/${nodes.length} nodes up`;
}

function KafkaNodes({ nodes }: { nodes: KafkaNodeHealth[] | undefined }) {
  const text = kafkaNodesText(nodes);
  if (!text || !nodes) return null;
  return (
    <>
      <div data-testid="kafka-nodes-summary">{text}</div>
      <ul class="kafka-nodes">
        {nodes.map((node) => {
          const state = node.healthy ? "up" : "down";
          return (
            <li
              key={node.id}
              data-testid={`kafka-node-${node.id}`}
              data-healthy={String(node.healthy)}
            >
              <span class={`dot dot-${state}`} aria-hidden="true" />
              node {node.id} · :{node.port}
              <span class="sr-only">{node.healthy ? " healthy" : " down"}</span>
            </li>
          );
        })}
      </ul>
    </>
  );
}

function workersHealthy(health: HealthReport): boolean {
  return health.workers.length > 0 && health.workers.some((w) => w.healthy);
}

/** The sidebar. */
export function Sidebar({ healthError }: { healthError: string | null }) {
  const store = useStore();
  const health = useLive(store, (s) => s.health);
  const connection = useLive(store, (s) => s.connection);
  const alerts = useLive(store, (s) => s.alerts);
  const tz = useTimeZone();
  const h = health;
  const experimentHref = safeHref(h?.mlflow.experiment_url);
  return (
    <aside class="sidebar" aria-label="System status">
      <h1 class="brand">LLM Monitoring Workbench</h1>
      <p class={`live live-${connection}`} data-testid="live-connection" role="status">
        <span class={`dot dot-${connection === "open" ? "up" : "unknown"}`} aria-hidden="true" />
        {connection === "open"
          ? "Live updates on"
          : connection === "connecting"
          ? "Connecting to live updates…"
          : "Live updates interrupted, reconnecting…"}
      </p>

      <h2 class="side-heading">Alerts</h2>
      <p class="alerts-summary">
        <a
          href="#alerts"
          class={`alerts-count${alerts && alerts.firing > 0 ? " alerts-firing" : ""}`}
          data-testid="sidebar-alerts-firing"
          data-value={alerts ? String(alerts.firing) : undefined}
        >
          <span
            class={`dot dot-${!alerts ? "unknown" : alerts.firing > 0 ? "down" : "up"}`}
            aria-hidden="true"
          />
          {alerts ? `${alerts.firing} firing` : "—"}
        </a>
        {alerts && alerts.pending > 0
          ? <span class="muted">{` · ${alerts.pending} pending`}</span>
          : null}
      </p>

      <h2 class="side-heading">Services</h2>
      {healthError && !h ? <p class="error-text">{healthError}</p> : null}
      {!h && !healthError ? <p class="muted">Checking services…</p> : null}
      <ul class="services">
        <ServiceRow name="Kafka" testId="health-kafka" healthy={h ? h.kafka.healthy : null}>
          {h ? `${h.kafka.version ? `v${h.kafka.version} · ` : ""}${h.kafka.url}` : null}
          {h ? <KafkaNodes nodes={h.kafka.nodes} /> : null}
        </ServiceRow>
        <ServiceRow name="MLflow" testId="health-mlflow" healthy={h ? h.mlflow.healthy : null}>
          {h
            ? (
              <>
                {h.mlflow.version ? `v${h.mlflow.version} · ` : ""}
                {experimentHref
                  ? (
                    <a href={experimentHref} target="_blank" rel="noopener noreferrer">
                      {h.mlflow.experiment || "experiment"}
                    </a>
                  )
                  : h.mlflow.experiment}
              </>
            )
            : null}
        </ServiceRow>
        <ServiceRow name="Ollama" testId="health-ollama" healthy={h ? h.ollama.healthy : null}>
          {h
            ? (
              <>
                {h.ollama.model}
                {h.ollama.healthy && !h.ollama.model_present
                  ? <span class="warn-text">(model not pulled)</span>
                  : null}
              </>
            )
            : null}
        </ServiceRow>
        <ServiceRow name="Workers" testId="health-workers" healthy={h ? workersHealthy(h) : null}>
          {h ? workersText(h.workers) : null}
        </ServiceRow>
      </ul>

      <h2 class="side-heading">Consumer lag</h2>
      {h && h.consumers.length === 0 ? <p class="muted">No consumer groups yet.</p> : null}
      {h
        ? (
          <table class="lag-table">
            <tbody>
              {h.consumers.map((c) => (
                <tr key={c.group} class={c.retrying || c.last_error ? "lag-warn" : ""}>
                  <th scope="row">{c.group}</th>
                  <td title={c.last_error ?? undefined}>
                    <span data-testid={`lag-${c.group}`}>
                      {c.lag === null ? "—" : String(c.lag)}
                    </span>
                    {c.retrying ? <span class="retry-mark" title="retrying">⟳</span> : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )
        : null}
      {h?.consumers.filter((c) => c.last_error).map((c) => (
        <p key={c.group} class="error-text small">{c.group}: {c.last_error}</p>
      ))}

      <p class="muted small tz-note" data-testid="timezone">
        Times in {timeZoneAbbreviation(tz)} ({tz})
      </p>
    </aside>
  );
}
