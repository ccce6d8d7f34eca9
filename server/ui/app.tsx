/**
 * The dashboard: a sidebar with service health and seven tabs in an ARIA tablist. Live data comes
 * from one EventSource; each tab reads the slice of the live store it needs.
 *
 * @module
 */

import type { VNode } from "preact";
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, messageOf } from "./api.ts";
import { Sidebar } from "./components/sidebar.tsx";
import { panelElementId, type TabDef, tabElementId, Tablist } from "./components/tablist.tsx";
import { StoreContext, TimeZoneContext } from "./context.ts";
import { resolveTimeZone } from "./format.ts";
import { LiveStore, mergeAlerts, mergeResponses, useLive } from "./live.ts";
import { AlertsTab } from "./tabs/alerts_tab.tsx";
import { AutoTab } from "./tabs/auto_tab.tsx";
import { DriftTab } from "./tabs/drift_tab.tsx";
import { MetricsTab } from "./tabs/metrics_tab.tsx";
import { MlflowTab } from "./tabs/mlflow_tab.tsx";
import { StreamTab } from "./tabs/stream_tab.tsx";
import { TestTab } from "./tabs/test_tab.tsx";

/** The seven tabs, in order. */
export const TABS: readonly TabDef[] = [
  { id: "metrics", label: "Real-time Metrics", testId: "tab-metrics" },
  { id: "stream", label: "Response Stream", testId: "tab-stream" },
  { id: "mlflow", label: "MLflow Tracking", testId: "tab-mlflow" },
  { id: "drift", label: "Drift Analysis", testId: "tab-drift" },
  { id: "test", label: "Test LLM", testId: "tab-test" },
  { id: "auto", label: "Auto Streaming", testId: "tab-auto" },
  { id: "alerts", label: "Alerts", testId: "tab-alerts" },
];

function tabFromHash(): string {
  // a notification links to #alerts/<fingerprint>: the Alerts tab
  const id = (globalThis.location?.hash.replace(/^#/, "") ?? "").split("/")[0];
  return TABS.some((t) => t.id === id) ? id : TABS[0].id;
}

/** Loads what the live events do not carry (or not yet): the first state of every slice. */
async function loadInitial(
  store: LiveStore,
  setHealthError: (m: string | null) => void,
  reconnected: boolean,
) {
  const tasks: Promise<unknown>[] = [
    api.health().then((health) => {
      store.update((s) => ({ ...s, health }));
      setHealthError(null);
    }).catch((e) => setHealthError(`Health check failed: ${messageOf(e)}`)),
    api.responses(200).then(({ responses }) => {
      store.update((s) => ({
        ...s,
        responses: mergeResponses(s.responses, responses),
        responsesLoaded: true,
      }));
    }).catch(() => store.update((s) => ({ ...s, responsesLoaded: true }))),
  ];
  // on a first connection the server pushes metrics, drift and stream status itself; after a
  // reconnect (or if the stream is slow) these fill the gap
  if (reconnected || !store.state.metrics) {
    tasks.push(
      api.metrics().then((metrics) =>
        store.update((s) => (s.metrics && !reconnected ? s : { ...s, metrics }))
      ).catch(() => {}),
    );
  }
  if (reconnected || !store.state.drift) {
    tasks.push(
      api.drift().then((drift) =>
        store.update((s) => (s.drift && !reconnected ? s : { ...s, drift }))
      )
        .catch(() => {}),
    );
  }
  if (reconnected || !store.state.alerts) {
    tasks.push(
      api.alerts().then((alerts) =>
        store.update((s) => ({ ...s, alerts: mergeAlerts(s.alerts, alerts) }))
      )
        .catch(() => {}),
    );
  }
  if (reconnected || !store.state.stream) {
    tasks.push(
      api.streamStatus().then((stream) =>
        store.update((s) => (s.stream && !reconnected ? s : { ...s, stream }))
      ).catch(() => {}),
    );
  }
  await Promise.all(tasks);
}

function Dashboard({ store }: { store: LiveStore }) {
  const [selected, setSelected] = useState(tabFromHash);
  const [healthError, setHealthError] = useState<string | null>(null);
  const timezone = useLive(store, (s) => s.health?.timezone);
  const tz = resolveTimeZone(timezone);

  useEffect(() => {
    loadInitial(store, setHealthError, false);
    return store.connect((reconnected) => {
      if (reconnected) loadInitial(store, setHealthError, true);
    });
  }, [store]);

  useEffect(() => {
    const onHash = () => setSelected(tabFromHash());
    globalThis.addEventListener("hashchange", onHash);
    return () => globalThis.removeEventListener("hashchange", onHash);
  }, []);

  const select = (id: string) => {
    setSelected(id);
    if (globalThis.location.hash.split("/")[0] !== `#${id}`) {
      history.replaceState(null, "", `#${id}`);
    }
  };

  const panels: Record<string, VNode> = {
    metrics: <MetricsTab />,
    stream: <StreamTab />,
    mlflow: <MlflowTab active={selected === "mlflow"} />,
    drift: <DriftTab />,
    test: <TestTab />,
    auto: <AutoTab />,
    alerts: <AlertsTab active={selected === "alerts"} />,
  };

  return (
    <TimeZoneContext.Provider value={tz}>
      <div class="layout">
        <Sidebar healthError={healthError} />
        <main class="main">
          <Tablist tabs={TABS} selected={selected} onSelect={select} label="Dashboard sections" />
          {TABS.map((tab) => (
            <section
              key={tab.id}
              role="tabpanel"
              id={panelElementId(tab.id)}
              aria-labelledby={tabElementId(tab.id)}
              tabIndex={0}
              hidden={tab.id !== selected}
              class="panel"
              data-testid={`panel-${tab.id}`}
            >
              <h2 class="panel-title">{tab.label}</h2>
              {panels[tab.id]}
            </section>
          ))}
        </main>
      </div>
    </TimeZoneContext.Provider>
  );
}

/** The whole dashboard, with its own live store. */
export function App() {
  const store = useMemo(() => new LiveStore(), []);
  return (
    <StoreContext.Provider value={store}>
      <Dashboard store={store} />
    </StoreContext.Provider>
  );
}
