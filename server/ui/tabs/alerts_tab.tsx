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
import { EmptyState } from "../components/empty_state.tsx";
import { ErrorMessage } from "../components/error_message.tsx";
import { KpiCard } from "../components/kpi_card.tsx";
import { useStore, useTimeZone } from "../context.ts";
import { formatDateTime, formatInteger, formatNumber, MISSING } from "../format.ts";
import { TAB_PURPOSE } from "../help.ts";
import { mergeAlerts, useLive } from "../live.ts";
import type { ActiveAlert, AlertRule, AlertsView, ChannelConfig } from "../types.ts";

function StateBadge({ state }: { state: string }) {
  return <span class={`badge tone-${stateTone(state)}`} data-state={state}>{state}</span>;
}

const value = (
  v: number | null | undefined,
) => (v === null || v === undefined ? MISSING : formatNumber(v, 4));

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
    <div class="table-wrap">
      <table class="data-table" data-testid="alerts-active">
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">State</th>
            <th scope="col" class="num">Value</th>
            <th scope="col" class="num">Threshold</th>
            <th scope="col">Severity</th>
            <th scope="col">Since</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
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
                {a.silenced
                  ? <span class="badge" data-testid="alert-silenced">silenced</span>
                  : null}
              </td>
              <td class="num">{value(a.value)}</td>
              <td class="num">{value(a.threshold)}</td>
              <td>{a.severity}</td>
              <td>{formatDateTime(a.fired_at ?? a.started_at, tz)}</td>
              <td class="detail-cell">{a.detail ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
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
    <div class="table-wrap">
      <table class="data-table" data-testid="alert-rules">
        <thead>
          <tr>
            <th scope="col">Rule</th>
            <th scope="col">Condition</th>
            <th scope="col" class="num">Now</th>
            <th scope="col" class="num">Threshold</th>
            <th scope="col">State</th>
            <th scope="col">Channels</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
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
                    onClick={() =>
                      act(() =>
                        api.silence({ rule_id: rule.id, duration_s: 3600 })
                      )}
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
        </tbody>
      </table>
    </div>
  );
}

function History({ view }: { view: AlertsView | null }) {
  const tz = useTimeZone();
  const history = view?.history ?? [];
  if (history.length === 0) return <p class="muted">No state change yet.</p>;
  return (
    <div class="table-wrap history-wrap">
      <table class="data-table" data-testid="alerts-history">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Rule</th>
            <th scope="col">State</th>
            <th scope="col" class="num">Value</th>
            <th scope="col" class="num">Threshold</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
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
        </tbody>
      </table>
    </div>
  );
}

function Field(
  { label, value, onInput, testId, type = "text", placeholder }: {
    label: string;
    value: string;
    onInput: (v: string) => void;
    testId: string;
    type?: string;
    placeholder?: string;
  },
) {
  return (
    <label>
      {label}
      <input
        type={type}
        value={value}
        placeholder={placeholder}
        data-testid={testId}
        onInput={(e) => onInput((e.currentTarget as HTMLInputElement).value)}
      />
    </label>
  );
}

function Choice(
  { label, value, options, onChange, testId }: {
    label: string;
    value: string;
    options: readonly string[];
    onChange: (v: string) => void;
    testId: string;
  },
) {
  return (
    <label>
      {label}
      <select
        value={value}
        data-testid={testId}
        onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value)}
      >
        {options.map((o) => <option key={o} value={o}>{o}</option>)}
      </select>
    </label>
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
  return (
    <form class="card" onSubmit={submit} data-testid="rule-form" aria-label="Add a rule">
      <h3 class="card-title">Add a rule</h3>
      <div class="form-row">
        <Field
          label="Name"
          value={form.name}
          onInput={(name) => set({ name })}
          testId="rule-name"
        />
        <Choice
          label="Kind"
          value={form.kind}
          options={["metric", "drift", "health"]}
          onChange={(kind) => set({ kind: kind as RuleForm["kind"] })}
          testId="rule-kind"
        />
        <Choice
          label="Severity"
          value={form.severity}
          options={SEVERITIES}
          onChange={(severity) => set({ severity })}
          testId="rule-severity"
        />
        <Field
          label="Pending for (s)"
          type="number"
          value={form.for_s}
          onInput={(for_s) => set({ for_s })}
          testId="rule-for"
        />
      </div>
      {form.kind === "metric"
        ? (
          <div class="form-row">
            <Choice
              label="Metric"
              value={form.metric}
              options={METRICS}
              onChange={(metric) => set({ metric })}
              testId="rule-metric"
            />
            <Choice
              label="Op"
              value={form.op}
              options={OPS}
              onChange={(op) => set({ op })}
              testId="rule-op"
            />
            <Field
              label="Threshold"
              type="number"
              value={form.threshold}
              onInput={(threshold) => set({ threshold })}
              testId="rule-threshold"
            />
            <Field
              label="Window (s)"
              type="number"
              value={form.window_s}
              onInput={(window_s) => set({ window_s })}
              testId="rule-window"
            />
            <Field
              label="Model (optional)"
              value={form.model}
              onInput={(model) => set({ model })}
              testId="rule-model"
            />
          </div>
        )
        : form.kind === "drift"
        ? (
          <div class="form-row">
            <Field
              label="Columns (comma-separated; empty: dataset drift)"
              value={form.columns}
              placeholder="latency_s, response_chars"
              onInput={(columns) => set({ columns })}
              testId="rule-columns"
            />
            <Field
              label="Level"
              type="number"
              value={form.level}
              onInput={(level) => set({ level })}
              testId="rule-level"
            />
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
            <Choice
              label="Check"
              value={check}
              options={HEALTH_CHECKS}
              onChange={(c) => set({ check: c })}
              testId="rule-check"
            />
            {check === "service"
              ? (
                <Field
                  label="Service"
                  value={form.service}
                  onInput={(service) => set({ service })}
                  testId="rule-service"
                />
              )
              : null}
            {check === "consumer_lag"
              ? (
                <Field
                  label="Consumer group"
                  value={form.group}
                  onInput={(group) => set({ group })}
                  testId="rule-group"
                />
              )
              : null}
            {check === "consumer_lag" || check === "dlq_rate"
              ? (
                <Field
                  label={check === "dlq_rate" ? "Dead letters per minute" : "Lag (messages)"}
                  type="number"
                  value={form.threshold}
                  onInput={(threshold) => set({ threshold })}
                  testId="rule-threshold"
                />
              )
              : null}
            {check === "dlq_rate" || check === "no_data"
              ? (
                <Field
                  label="Window (s)"
                  type="number"
                  value={form.window_s}
                  onInput={(window_s) => set({ window_s })}
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
    <section class="card" aria-label="Channels">
      <h3 class="card-title">Channels</h3>
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
          <Field
            label="Name"
            value={form.name}
            onInput={(name) => set({ name })}
            testId="channel-name"
          />
          <Choice
            label="Type"
            value={form.type}
            options={CHANNEL_TYPES}
            onChange={(type) => set({ type: type as ChannelForm["type"] })}
            testId="channel-type"
          />
          {form.type === "email"
            ? (
              <>
                <Field
                  label="SMTP host"
                  value={form.host}
                  onInput={(host) => set({ host })}
                  testId="channel-host"
                />
                <Field
                  label="Port"
                  type="number"
                  value={form.port}
                  onInput={(port) => set({ port })}
                  testId="channel-port"
                />
                <Choice
                  label="TLS"
                  value={form.tls}
                  options={["starttls", "tls", "none"]}
                  onChange={(tls) => set({ tls })}
                  testId="channel-tls"
                />
                <Field
                  label="From"
                  value={form.from}
                  onInput={(from) => set({ from })}
                  testId="channel-from"
                />
                <Field
                  label="To (comma-separated)"
                  value={form.to}
                  onInput={(to) => set({ to })}
                  testId="channel-to"
                />
                <Field
                  label="Username"
                  value={form.username}
                  onInput={(username) => set({ username })}
                  testId="channel-username"
                />
                <Field
                  label="Password"
                  type="password"
                  value={form.password}
                  onInput={(password) => set({ password })}
                  testId="channel-password"
                />
              </>
            )
            : (
              <>
                <Field
                  label={form.type === "alertmanager" ? "Alertmanager URL" : "URL"}
                  value={form.url}
                  onInput={(url) => set({ url })}
                  testId="channel-url"
                />
                {form.type === "webhook"
                  ? (
                    <Field
                      label="Signing secret (optional, 16+ chars)"
                      type="password"
                      value={form.secret}
                      onInput={(secret) => set({ secret })}
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
    </section>
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
    <section class="card" aria-label="Silences">
      <h3 class="card-title">Silences</h3>
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
          <label>
            Rule
            <select
              value={ruleId || rules[0]?.id || ""}
              data-testid="silence-rule"
              onChange={(e) => setRuleId((e.currentTarget as HTMLSelectElement).value)}
            >
              {rules.map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
            </select>
          </label>
          <Field
            label="For (minutes)"
            type="number"
            value={minutes}
            onInput={setMinutes}
            testId="silence-minutes"
          />
          <Field label="Comment" value={comment} onInput={setComment} testId="silence-comment" />
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
    </section>
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
          value={formatInteger(firing)}
          raw={firing}
          testId="alerts-firing-count"
          tone={firing > 0 ? "drift" : "ok"}
        />
        <KpiCard
          label="Pending"
          value={formatInteger(pending)}
          raw={pending}
          testId="alerts-pending-count"
          tone={pending > 0 ? "close" : "neutral"}
        />
        <KpiCard
          label="Silences"
          value={formatInteger(view?.silences.length ?? 0)}
          raw={view?.silences.length ?? 0}
          testId="alerts-silence-count"
        />
        <KpiCard
          label="Deliveries owed"
          value={formatInteger(view?.deliveries_pending ?? 0)}
          raw={view?.deliveries_pending ?? 0}
          testId="alerts-deliveries"
          help="Notifications not yet delivered (a receiver that is down keeps them here until it is back)."
        />
      </div>
      <section class="card" aria-label="Active alerts">
        <h3 class="card-title">Firing and pending</h3>
        <ActiveAlerts active={view?.active ?? []} />
      </section>
      <section class="card" aria-label="Rules">
        <h3 class="card-title">Rules</h3>
        <RulesTable rules={rules} view={view} onChanged={reload} setError={setError} />
      </section>
      <RuleFormCard channels={channels} onSaved={reload} />
      <ChannelsCard channels={channels} onChanged={reload} />
      <SilencesCard rules={rules} view={view} onChanged={reload} />
      <section class="card" aria-label="History">
        <h3 class="card-title">History</h3>
        <p class="help">The newest 200 state changes, newest first.</p>
        <History view={view} />
      </section>
    </div>
  );
}
