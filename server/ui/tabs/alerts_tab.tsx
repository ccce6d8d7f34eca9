/**
 * Tab 7, Alerts: firing and pending alerts live over SSE (`alerts` events), each rule's current
 * value against its threshold, the history of state changes, and forms to add rules, channels
 * and silences. Everything a user or a receiver typed (rule names, details, URLs) is shown as
 * text.
 *
 * @module
 */

import { useEffect, useState } from "preact/hooks";
import {
  CHANNEL_TYPES,
  HEALTH_CHECKS,
  METRICS,
  OPS,
  SEVERITIES,
} from "../../../lib/alerts/vocabulary.ts";
import {
  channelBody,
  type ChannelForm,
  channelTarget,
  emptyChannelForm,
  emptyRuleForm,
  ruleBody,
  type RuleForm,
  ruleSummary,
  stateTone,
} from "../alerts_data.ts";
import { api, messageOf } from "../api.ts";
import { Card } from "../components/card.tsx";
import { DataTable, numeric } from "../components/data_table.tsx";
import { EmptyState } from "../components/empty_state.tsx";
import { ErrorMessage } from "../components/error_message.tsx";
import { fieldBinder, SelectField, TextField } from "../components/form_field.tsx";
import { KpiCard } from "../components/kpi_card.tsx";
import { useStore, useTimeZone } from "../context.ts";
import { formatDateTime, formatNumber, MISSING } from "../format.ts";
import { TAB_PURPOSE } from "../help.ts";
import { mergeAlerts, useLive } from "../live.ts";
import type { ActiveAlert, AlertRule, AlertsView, ChannelConfig } from "../types.ts";

function StateBadge({ state }: { state: string }) {
  return <span class={`badge tone-${stateTone(state)}`} data-state={state}>{state}</span>;
}

const value = (
  v: number | null | undefined,
) => (v === null || v === undefined ? MISSING : formatNumber(v, 4));

const ACTIVE_COLUMNS = [
  "Rule",
  "State",
  numeric("Value"),
  numeric("Threshold"),
  "Severity",
  "Since",
  "Detail",
];
const RULE_COLUMNS = [
  "Rule",
  "Condition",
  numeric("Now"),
  numeric("Threshold"),
  "State",
  "Channels",
  "Actions",
];
const HISTORY_COLUMNS = ["Time", "Rule", "State", numeric("Value"), numeric("Threshold"), "Detail"];
const RULE_KINDS = ["metric", "drift", "health"];
const TLS_MODES = ["starttls", "tls", "none"];

function ActiveAlerts({ active }: { active: ActiveAlert[] }) {
  const tz = useTimeZone();
  if (active.length === 0) {
    return (
      <EmptyState title="No alert is firing or pending." testId="alerts-none">
        Rules are evaluated every few seconds; a rule whose condition holds shows here at once.
      </EmptyState>
    );
  }
  return (
    <DataTable columns={ACTIVE_COLUMNS} testId="alerts-active">
      {active.map((a) => (
        <tr
          key={a.fingerprint}
          id={`alert-${a.fingerprint}`}
          class={`row-${stateTone(a.state)}`}
          data-testid="alert-active"
          data-rule-id={a.rule_id}
          data-state={a.state}
        >
          <th scope="row">{a.rule_name}</th>
          <td>
            <StateBadge state={a.state} />
            {a.silenced ? <span class="badge" data-testid="alert-silenced">silenced</span> : null}
          </td>
          <td class="num">{value(a.value)}</td>
          <td class="num">{value(a.threshold)}</td>
          <td>{a.severity}</td>
          <td>{formatDateTime(a.fired_at ?? a.started_at, tz)}</td>
          <td class="detail-cell">{a.detail ?? ""}</td>
        </tr>
      ))}
    </DataTable>
  );
}

function RulesTable(
  { rules, view, onChanged, setError }: {
    rules: AlertRule[];
    view: AlertsView | null;
    onChanged: () => void;
    setError: (m: string | null) => void;
  },
) {
  const readings = new Map((view?.readings ?? []).map((r) => [r.rule_id, r]));
  const states = new Map((view?.active ?? []).map((a) => [a.rule_id, a]));
  const act = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      onChanged();
    } catch (e) {
      setError(messageOf(e));
    }
  };
  if (rules.length === 0) {
    return (
      <EmptyState title="No rules yet." testId="rules-none">
        Add a rule below: a metric over a window, drift from the drift monitor, or the pipeline's
        health.
      </EmptyState>
    );
  }
  return (
    <DataTable columns={RULE_COLUMNS} testId="alert-rules">
      {rules.map((rule) => {
        const reading = readings.get(rule.id);
        const alert = states.get(rule.id);
        const state = !rule.enabled ? "disabled" : alert?.state ?? "ok";
        return (
          <tr key={rule.id} data-testid="rule-row" data-rule-id={rule.id} data-state={state}>
            <th scope="row">{rule.name}</th>
            <td>{ruleSummary(rule)}</td>
            <td
              class="num"
              data-testid={`rule-value-${rule.id}`}
              data-value={reading?.value ?? undefined}
              title={reading?.detail}
            >
              {value(reading?.value)}
            </td>
            <td class="num">{value(reading?.threshold ?? null)}</td>
            <td>
              <StateBadge state={state} />
            </td>
            <td>{rule.channels.join(", ") || MISSING}</td>
            <td class="actions">
              <button
                type="button"
                data-testid={`rule-silence-${rule.id}`}
                onClick={() => act(() => api.silence({ rule_id: rule.id, duration_s: 3600 }))}
              >
                Silence 1 h
              </button>
              <button
                type="button"
                data-testid={`rule-toggle-${rule.id}`}
                onClick={() =>
                  act(() => {
                    const { id: _id, ...body } = rule;
                    return api.replaceRule(rule.id, { ...body, enabled: !rule.enabled });
                  })}
              >
                {rule.enabled ? "Disable" : "Enable"}
              </button>
              <button
                type="button"
                class="danger"
                data-testid={`rule-delete-${rule.id}`}
                onClick={() => act(() => api.deleteRule(rule.id))}
              >
                Delete
              </button>
            </td>
          </tr>
        );
      })}
    </DataTable>
  );
}

function History({ view }: { view: AlertsView | null }) {
  const tz = useTimeZone();
  const history = view?.history ?? [];
  if (history.length === 0) return <p class="muted">No state change yet.</p>;
  return (
    <DataTable columns={HISTORY_COLUMNS} testId="alerts-history" wrap="table-wrap history-wrap">
      {history.map((e) => (
        <tr
          key={`${e.fingerprint}:${e.state}:${e.ts}`}
          data-testid="history-row"
          data-state={e.state}
        >
          <td>{formatDateTime(e.ts, tz)}</td>
          <th scope="row">{e.rule_name}</th>
          <td>
            <StateBadge state={e.state} />
          </td>
          <td class="num">{value(e.value)}</td>
          <td class="num">{value(e.threshold)}</td>
          <td class="detail-cell">{e.detail ?? ""}</td>
        </tr>
      ))}
    </DataTable>
  );
}

function RuleFormCard(
  { channels, onSaved }: { channels: ChannelConfig[]; onSaved: () => void },
) {
  const [form, setForm] = useState<RuleForm>(emptyRuleForm);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<RuleForm>) => setForm((f) => ({ ...f, ...patch }));
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.createRule(ruleBody(form));
      setForm(emptyRuleForm());
      onSaved();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  const check = form.check;
  const bind = fieldBinder(form, set);
  return (
    <form class="card" onSubmit={submit} data-testid="rule-form" aria-label="Add a rule">
      <h3 class="card-title">Add a rule</h3>
      <div class="form-row">
        <TextField label="Name" {...bind("name")} testId="rule-name" />
        <SelectField label="Kind" {...bind("kind")} options={RULE_KINDS} testId="rule-kind" />
        <SelectField
          label="Severity"
          {...bind("severity")}
          options={SEVERITIES}
          testId="rule-severity"
        />
        <TextField label="Pending for (s)" type="number" {...bind("for_s")} testId="rule-for" />
      </div>
      {form.kind === "metric"
        ? (
          <div class="form-row">
            <SelectField
              label="Metric"
              {...bind("metric")}
              options={METRICS}
              testId="rule-metric"
            />
            <SelectField label="Op" {...bind("op")} options={OPS} testId="rule-op" />
            <TextField
              label="Threshold"
              type="number"
              {...bind("threshold")}
              testId="rule-threshold"
            />
            <TextField
              label="Window (s)"
              type="number"
              {...bind("window_s")}
              testId="rule-window"
            />
            <TextField label="Model (optional)" {...bind("model")} testId="rule-model" />
          </div>
        )
        : form.kind === "drift"
        ? (
          <div class="form-row">
            <TextField
              label="Columns (comma-separated; empty: dataset drift)"
              {...bind("columns")}
              placeholder="latency_s, response_chars"
              testId="rule-columns"
            />
            <TextField label="Level" type="number" {...bind("level")} testId="rule-level" />
            <label class="checkbox">
              <input
                type="checkbox"
                checked={form.fdr}
                data-testid="rule-fdr"
                onChange={(e) => set({ fdr: (e.currentTarget as HTMLInputElement).checked })}
              />
              Benjamini–Hochberg correction (FDR)
            </label>
          </div>
        )
        : (
          <div class="form-row">
            <SelectField
              label="Check"
              {...bind("check")}
              options={HEALTH_CHECKS}
              testId="rule-check"
            />
            {check === "service"
              ? <TextField label="Service" {...bind("service")} testId="rule-service" />
              : null}
            {check === "consumer_lag"
              ? <TextField label="Consumer group" {...bind("group")} testId="rule-group" />
              : null}
            {check === "consumer_lag" || check === "dlq_rate"
              ? (
                <TextField
                  label={check === "dlq_rate" ? "Dead letters per minute" : "Lag (messages)"}
                  type="number"
                  {...bind("threshold")}
                  testId="rule-threshold"
                />
              )
              : null}
            {check === "dlq_rate" || check === "no_data"
              ? (
                <TextField
                  label="Window (s)"
                  type="number"
                  {...bind("window_s")}
                  testId="rule-window"
                />
              )
              : null}
          </div>
        )}
      <fieldset class="form-row channel-picks">
        <legend>Channels</legend>
        {channels.length === 0 ? <span class="muted">No channel yet: add one below.</span> : null}
        {channels.map((c) => (
          <label class="checkbox" key={c.name}>
            <input
              type="checkbox"
              data-testid={`rule-channel-${c.name}`}
              checked={form.channels.includes(c.name)}
              onChange={(e) => {
                const on = (e.currentTarget as HTMLInputElement).checked;
                set({
                  channels: on
                    ? [...form.channels, c.name]
                    : form.channels.filter((n) => n !== c.name),
                });
              }}
            />
            {c.name}
          </label>
        ))}
      </fieldset>
      <div class="form-row">
        <button type="submit" class="primary" disabled={busy} data-testid="rule-submit">
          Add rule
        </button>
      </div>
      <ErrorMessage message={error} testId="rule-error" />
    </form>
  );
}

function ChannelsCard(
  { channels, onChanged }: { channels: ChannelConfig[]; onChanged: () => void },
) {
  const [form, setForm] = useState<ChannelForm>(emptyChannelForm);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = (patch: Partial<ChannelForm>) => setForm((f) => ({ ...f, ...patch }));
  const bind = fieldBinder(form, set);
  const run = async (fn: () => Promise<string | null>) => {
    setBusy(true);
    setError(null);
    setNotice(null);
    try {
      setNotice(await fn());
      onChanged();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title="Channels" label="Channels">
      {channels.length === 0
        ? <p class="muted">No channel yet.</p>
        : (
          <ul class="channel-list" data-testid="channels">
            {channels.map((c) => (
              <li key={c.name} data-testid="channel-row" data-channel={c.name}>
                <strong>{c.name}</strong> <span class="badge">{c.type}</span>{" "}
                <span class="muted channel-target">{channelTarget(c)}</span>{" "}
                <button
                  type="button"
                  disabled={busy}
                  data-testid={`channel-test-${c.name}`}
                  onClick={() =>
                    run(async () => {
                      const outcome = await api.testChannel(c.name);
                      return outcome.ok
                        ? `Test notification sent to ${c.name}.`
                        : `Test notification to ${c.name} failed after ${outcome.attempts} attempts: ${outcome.error}`;
                    })}
                >
                  Send test
                </button>
                <button
                  type="button"
                  class="danger"
                  disabled={busy}
                  data-testid={`channel-delete-${c.name}`}
                  onClick={() => run(async () => (await api.deleteChannel(c.name), null))}
                >
                  Delete
                </button>
              </li>
            ))}
          </ul>
        )}
      <p class="small muted" role="status" data-testid="channel-notice">{notice ?? ""}</p>
      <form
        data-testid="channel-form"
        aria-label="Add a channel"
        onSubmit={(e) => {
          e.preventDefault();
          run(async () => {
            await api.saveChannel(channelBody(form));
            setForm(emptyChannelForm());
            return null;
          });
        }}
      >
        <div class="form-row">
          <TextField label="Name" {...bind("name")} testId="channel-name" />
          <SelectField
            label="Type"
            {...bind("type")}
            options={CHANNEL_TYPES}
            testId="channel-type"
          />
          {form.type === "email"
            ? (
              <>
                <TextField label="SMTP host" {...bind("host")} testId="channel-host" />
                <TextField label="Port" type="number" {...bind("port")} testId="channel-port" />
                <SelectField
                  label="TLS"
                  {...bind("tls")}
                  options={TLS_MODES}
                  testId="channel-tls"
                />
                <TextField label="From" {...bind("from")} testId="channel-from" />
                <TextField label="To (comma-separated)" {...bind("to")} testId="channel-to" />
                <TextField label="Username" {...bind("username")} testId="channel-username" />
                <TextField
                  label="Password"
                  type="password"
                  {...bind("password")}
                  testId="channel-password"
                />
              </>
            )
            : (
              <>
                <TextField
                  label={form.type === "alertmanager" ? "Alertmanager URL" : "URL"}
                  {...bind("url")}
                  testId="channel-url"
                />
                {form.type === "webhook"
                  ? (
                    <TextField
                      label="Signing secret (optional, 16+ chars)"
                      type="password"
                      {...bind("secret")}
                      testId="channel-secret"
                    />
                  )
                  : null}
              </>
            )}
          <button type="submit" class="primary" disabled={busy} data-testid="channel-submit">
            Save channel
          </button>
        </div>
      </form>
      <ErrorMessage message={error} testId="channel-error" />
    </Card>
  );
}

function SilencesCard(
  { rules, view, onChanged }: {
    rules: AlertRule[];
    view: AlertsView | null;
    onChanged: () => void;
  },
) {
  const tz = useTimeZone();
  const [ruleId, setRuleId] = useState("");
  const [minutes, setMinutes] = useState("60");
  const [comment, setComment] = useState("");
  const [error, setError] = useState<string | null>(null);
  const names = new Map(rules.map((r) => [r.id, r.name]));
  const run = async (fn: () => Promise<unknown>) => {
    setError(null);
    try {
      await fn();
      onChanged();
    } catch (e) {
      setError(messageOf(e));
    }
  };
  const silences = view?.silences ?? [];
  return (
    <Card title="Silences" label="Silences">
      {silences.length === 0
        ? <p class="muted">No silence in force.</p>
        : (
          <ul class="channel-list" data-testid="silences">
            {silences.map((s) => (
              <li key={s.silence_id} data-testid="silence-row" data-rule-id={s.rule_id}>
                <strong>{names.get(s.rule_id) ?? s.rule_id}</strong> muted until{" "}
                {formatDateTime(s.until, tz)}
                {s.comment ? <span class="muted">{` (${s.comment})`}</span> : null}{" "}
                <button
                  type="button"
                  data-testid={`silence-lift-${s.silence_id}`}
                  onClick={() =>
                    run(() =>
                      api.unsilence(s.silence_id)
                    )}
                >
                  Lift
                </button>
              </li>
            ))}
          </ul>
        )}
      <form
        data-testid="silence-form"
        aria-label="Add a silence"
        onSubmit={(e) => {
          e.preventDefault();
          run(async () => {
            await api.silence({
              rule_id: ruleId || rules[0]?.id || "",
              duration_s: Number(minutes) * 60,
              ...(comment.trim() ? { comment: comment.trim() } : {}),
            });
            setComment("");
          });
        }}
      >
        <div class="form-row">
          <SelectField
            label="Rule"
            value={ruleId || rules[0]?.id || ""}
            options={rules.map((r) => ({ value: r.id, label: r.name }))}
            onValue={setRuleId}
            testId="silence-rule"
          />
          <TextField
            label="For (minutes)"
            type="number"
            value={minutes}
            onValue={setMinutes}
            testId="silence-minutes"
          />
          <TextField
            label="Comment"
            value={comment}
            onValue={setComment}
            testId="silence-comment"
          />
          <button
            type="submit"
            class="primary"
            disabled={rules.length === 0}
            data-testid="silence-submit"
          >
            Silence
          </button>
        </div>
      </form>
      <ErrorMessage message={error} testId="silence-error" />
    </Card>
  );
}

/** The Alerts tab. */
export function AlertsTab({ active }: { active: boolean }) {
  const store = useStore();
  const view = useLive(store, (s) => s.alerts);
  const [rules, setRules] = useState<AlertRule[]>([]);
  const [channels, setChannels] = useState<ChannelConfig[]>([]);
  const [error, setError] = useState<string | null>(null);
  const version = view?.config_version ?? 0;

  const reload = () => {
    Promise.all([api.alertRules(), api.channels(), api.alerts()]).then(([r, c, v]) => {
      setRules(r.rules);
      setChannels(c.channels);
      store.update((s) => ({ ...s, alerts: mergeAlerts(s.alerts, v) }));
    }).catch((e) => setError(`Could not load the alerts: ${messageOf(e)}`));
  };
  // rules and channels are fetched when the tab opens and whenever they change anywhere
  useEffect(() => {
    if (active) reload();
  }, [active, version]);

  const firing = view?.firing ?? 0;
  const pending = view?.pending ?? 0;
  const evaluator = view?.evaluator;
  return (
    <div class="tab-content">
      <p class="purpose">{TAB_PURPOSE.alerts}</p>
      <p
        class="muted small"
        data-testid="alerts-evaluator"
        data-role={evaluator?.role ?? "unknown"}
      >
        {evaluator
          ? `Evaluator: ${
            evaluator.role === "leader"
              ? "this server evaluates and notifies"
              : evaluator.role === "follower"
              ? "another server evaluates and notifies; this one follows"
              : evaluator.role === "starting"
              ? "reading the alert history…"
              : "stopped"
          }${evaluator.last_error ? ` · last error: ${evaluator.last_error}` : ""}`
          : "Waiting for the alert evaluator…"}
      </p>
      <ErrorMessage message={error} testId="alerts-error" />
      <div class="kpis">
        <KpiCard
          label="Firing"
          count={firing}
          testId="alerts-firing-count"
          tone={firing > 0 ? "drift" : "ok"}
        />
        <KpiCard
          label="Pending"
          count={pending}
          testId="alerts-pending-count"
          tone={pending > 0 ? "close" : "neutral"}
        />
        <KpiCard
          label="Silences"
          count={view?.silences.length ?? 0}
          testId="alerts-silence-count"
        />
        <KpiCard
          label="Deliveries owed"
          count={view?.deliveries_pending ?? 0}
          testId="alerts-deliveries"
          help="Notifications not yet delivered (a receiver that is down keeps them here until it is back)."
        />
      </div>
      <Card title="Firing and pending" label="Active alerts">
        <ActiveAlerts active={view?.active ?? []} />
      </Card>
      <Card title="Rules" label="Rules">
        <RulesTable rules={rules} view={view} onChanged={reload} setError={setError} />
      </Card>
      <RuleFormCard channels={channels} onSaved={reload} />
      <ChannelsCard channels={channels} onChanged={reload} />
      <SilencesCard rules={rules} view={view} onChanged={reload} />
      <Card title="History" label="History">
        <p class="help">The newest 200 state changes, newest first.</p>
        <History view={view} />
      </Card>
    </div>
  );
}
