/**
 * Tab 7, Compare: pick two models, two A/B variants (the `variant` tag) or two time ranges and
 * see their figures side by side with 95% confidence intervals, p-values and a plain verdict per
 * column. The server computes everything with lib/compare over the newest responses
 * (GET /api/compare); the charts are lib/plots'.
 *
 * @module
 */

import { useEffect, useMemo, useState } from "preact/hooks";
import {
  type ColumnLike,
  comparisonDifferenceSpec,
  comparisonRatesSpec,
} from "../../../lib/plots/compare_charts.ts";
import { CHART_TITLES } from "../../../lib/plots/titles.ts";
import { api, type CompareQuery, type CompareSide, messageOf } from "../api.ts";
import { Card } from "../components/card.tsx";
import { LookFor } from "../components/chart_card.tsx";
import { DataTable, numeric } from "../components/data_table.tsx";
import { EmptyState } from "../components/empty_state.tsx";
import { ErrorMessage } from "../components/error_message.tsx";
import { SelectField } from "../components/form_field.tsx";
import { PlotCard } from "../components/plot_card.tsx";
import { useStore } from "../context.ts";
import { formatInteger, formatPercent, formatStat } from "../format.ts";
import { CHART_HELP, TAB_PURPOSE } from "../help.ts";
import { useLive } from "../live.ts";
import type { CompareBody, CompareBy, CompareColumnBody, CompareGroups } from "../types.ts";

/** Column names as the table shows them. */
const COLUMN_LABELS: Record<string, string> = {
  latency_s: "Latency (s)",
  ttft_s: "Time to first token (s)",
  completion_tokens: "Completion tokens",
  prompt_tokens: "Prompt tokens",
  tokens_per_s: "Tokens/s",
  response_chars: "Response length (chars)",
  success: "Success rate",
  cost_usd: "Cost per call (USD)",
  feedback_score: "Feedback score",
  thumbs_up: "Thumbs-up rate",
};

const COMPARE_COLUMNS = [
  "Column",
  ...[
    "A",
    "B",
    "B − A [95% CI]",
    "p (Mann–Whitney / Fisher)",
    "p (Welch / z)",
    "p adjusted",
  ].map(numeric),
  "Significant",
];

const BY_CHOICES = [
  { value: "model", label: "model" },
  { value: "variant", label: "variant (A/B tag)" },
  { value: "time", label: "time range" },
];

/** The two sides, as the form names them. */
const SIDES = ["A", "B"] as const;

/** The start and end of each side's time range, as `datetime-local` values. */
type Times = { aFrom: string; aTo: string; bFrom: string; bTo: string };

/** One side's time range: two `datetime-local` inputs in a fieldset. */
function TimeRange(
  { side, times, onTime }: {
    side: "A" | "B";
    times: Times;
    onTime: (key: keyof Times) => (e: Event) => void;
  },
) {
  const s = side === "A" ? "a" : "b";
  return (
    <fieldset class="time-range">
      <legend>{side}</legend>
      <input
        type="datetime-local"
        value={times[`${s}From`]}
        data-testid={`compare-${s}-from`}
        aria-label={`${side} from`}
        onInput={onTime(`${s}From`)}
      />
      –
      <input
        type="datetime-local"
        value={times[`${s}To`]}
        data-testid={`compare-${s}-to`}
        aria-label={`${side} to`}
        onInput={onTime(`${s}To`)}
      />
    </fieldset>
  );
}

const differenceChart = (columns: ColumnLike[]) =>
  columns.some((c) => c.kind === "numeric") ? comparisonDifferenceSpec(columns) : null;
const ratesChart = (columns: ColumnLike[]) =>
  columns.some((c) => c.kind === "binary") ? comparisonRatesSpec(columns) : null;

/** A `datetime-local` value (the browser's time zone) for epoch ms. */
function toLocalInput(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${
    pad(d.getMinutes())
  }`;
}

/** Epoch ms of a `datetime-local` value, or NaN. */
function fromLocalInput(value: string): number {
  return value ? new Date(value).getTime() : NaN;
}

function num(v: number | null | undefined, column: string): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return "—";
  if (column === "cost_usd") return v === 0 ? "0" : Number(v.toPrecision(3)).toString();
  const a = Math.abs(v);
  return a >= 100 ? v.toFixed(0) : a >= 1 ? v.toFixed(2) : Number(v.toPrecision(3)).toString();
}

function pText(p: number | null | undefined): string {
  if (p === null || p === undefined || !Number.isFinite(p)) return "—";
  return p < 0.001 ? "< 0.001" : formatStat(p);
}

function Row({ c }: { c: CompareColumnBody }) {
  const label = COLUMN_LABELS[c.column] ?? c.column;
  if (c.kind === "binary") {
    return (
      <tr data-column={c.column} data-significant={String(c.significant)}>
        <th scope="row">{label}</th>
        <td class="num">{formatPercent(c.rate_a)}</td>
        <td class="num">{formatPercent(c.rate_b)}</td>
        <td class="num">{formatPercent(c.difference)}</td>
        <td class="num" title="Fisher's exact test">{pText(c.tests.fisher_exact.p_value)}</td>
        <td class="num" title="two-proportion z-test">
          {pText(c.tests.two_proportion_z.p_value)}
        </td>
        <td class="num" data-testid="compare-p-adjusted">{pText(c.p_adjusted)}</td>
        <td>{c.significant ? <strong>yes</strong> : "no"}</td>
      </tr>
    );
  }
  const ci = c.tests.bootstrap;
  return (
    <tr data-column={c.column} data-significant={String(c.significant)}>
      <th scope="row">{label}</th>
      <td class="num">{num(c.mean_a, c.column)}</td>
      <td class="num">{num(c.mean_b, c.column)}</td>
      <td class="num">
        {num(c.difference, c.column)}{" "}
        <span class="muted small">
          [{num(ci.ci_low, c.column)}, {num(ci.ci_high, c.column)}]
        </span>
      </td>
      <td class="num" title="Mann–Whitney U">{pText(c.tests.mann_whitney.p_value)}</td>
      <td class="num" title="Welch's t-test">{pText(c.tests.welch_t.p_value)}</td>
      <td class="num" data-testid="compare-p-adjusted">{pText(c.p_adjusted)}</td>
      <td>{c.significant ? <strong>yes</strong> : "no"}</td>
    </tr>
  );
}

/** The Compare tab. */
export function CompareTab({ active }: { active: boolean }) {
  const store = useStore();
  const runsVersion = useLive(store, (s) => s.runsVersion);
  const [groups, setGroups] = useState<CompareGroups | null>(null);
  const [by, setBy] = useState<CompareBy>("model");
  const [a, setA] = useState("");
  const [b, setB] = useState("");
  const [times, setTimes] = useState<Times>({ aFrom: "", aTo: "", bFrom: "", bTo: "" });
  const [result, setResult] = useState<CompareBody | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [touched, setTouched] = useState(false);

  // what can be selected: on opening the tab, and as runs are logged
  useEffect(() => {
    if (!active) return;
    api.compareGroups().then(setGroups).catch((e) => setError(messageOf(e)));
  }, [active, runsVersion]);

  // sensible defaults until the user picks: two variants, else two models, else two halves
  useEffect(() => {
    if (!groups || touched) return;
    const mode: CompareBy = groups.variants.length >= 2
      ? "variant"
      : groups.models.length >= 2
      ? "model"
      : "time";
    setBy(mode);
    const list = mode === "variant" ? groups.variants : groups.models;
    setA(list[0]?.name ?? "");
    setB(list[1]?.name ?? list[0]?.name ?? "");
    if (groups.first_ts !== null && groups.last_ts !== null) {
      const mid = Math.round((groups.first_ts + groups.last_ts) / 2);
      setTimes({
        aFrom: toLocalInput(groups.first_ts),
        aTo: toLocalInput(mid),
        bFrom: toLocalInput(mid),
        bTo: toLocalInput(groups.last_ts + 60_000),
      });
    }
  }, [groups, touched]);

  const options = by === "variant" ? groups?.variants ?? [] : groups?.models ?? [];
  const run = async () => {
    setError(null);
    let sides: [CompareSide, CompareSide];
    if (by === "time") {
      const r = [times.aFrom, times.aTo, times.bFrom, times.bTo].map(fromLocalInput);
      if (r.some((v) => !Number.isFinite(v))) {
        setError("Give a start and an end for both time ranges.");
        return;
      }
      sides = [{ from: r[0], to: r[1] }, { from: r[2], to: r[3] }];
    } else {
      if (!a || !b) {
        setError(`Pick a ${by} for A and for B.`);
        return;
      }
      sides = [{ value: a }, { value: b }];
    }
    const query: CompareQuery = { by, a: sides[0], b: sides[1] };
    setLoading(true);
    try {
      setResult(await api.compare(query));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setLoading(false);
    }
  };

  const columns = useMemo(
    () => (result?.result?.columns ?? []) as unknown as ColumnLike[],
    [result],
  );
  const sideValue = { A: a, B: b };
  const setSide = { A: setA, B: setB };
  const choices = options.map((o) => ({ value: o.name, label: `${o.name} (${o.count})` }));
  const time = (key: keyof Times) => (e: Event) => {
    setTouched(true);
    const value = (e.currentTarget as HTMLInputElement).value;
    setTimes((t) => ({ ...t, [key]: value }));
  };

  return (
    <div class="tab-content">
      <p class="purpose">
        {TAB_PURPOSE.compare}{" "}
        Numeric columns are tested with Mann–Whitney U (the verdict) and Welch's t-test, with a 95%
        bootstrap interval of B − A; rates with Fisher's exact test and the two-proportion z-test;
        p-values are Holm-adjusted across the columns. Run an A/B stream with{" "}
        <code>deno task stream --models m1,m2 --split 50,50</code> to fill it.
      </p>
      <form
        class="card compare-form"
        onSubmit={(e) => {
          e.preventDefault();
          run();
        }}
      >
        <div class="form-row">
          <SelectField
            label="Compare by"
            value={by}
            options={BY_CHOICES}
            onValue={(value) => {
              setTouched(true);
              const mode = value as CompareBy;
              setBy(mode);
              const list = mode === "variant" ? groups?.variants ?? [] : groups?.models ?? [];
              setA(list[0]?.name ?? "");
              setB(list[1]?.name ?? list[0]?.name ?? "");
            }}
            testId="compare-by"
          />
          {by === "time"
            ? SIDES.map((side) => <TimeRange key={side} side={side} times={times} onTime={time} />)
            : SIDES.map((side) => (
              <SelectField
                key={side}
                label={side}
                value={sideValue[side]}
                options={choices}
                emptyOption="(none yet)"
                onValue={(value) => {
                  setTouched(true);
                  setSide[side](value);
                }}
                testId={`compare-${side.toLowerCase()}`}
              />
            ))}
          <button type="submit" class="primary" disabled={loading} data-testid="compare-run">
            {loading ? "Comparing…" : "Compare"}
          </button>
        </div>
        {groups
          ? (
            <p class="muted small">
              Over the newest {formatInteger(groups.rows)} responses (up to{" "}
              {formatInteger(groups.capacity)} are kept).
            </p>
          )
          : null}
        <ErrorMessage message={error} testId="compare-error" />
      </form>

      {result === null
        ? (
          <EmptyState title="Nothing compared yet">
            Pick A and B and press Compare.
          </EmptyState>
        )
        : (
          <Card
            title={
              <>
                A: <span data-testid="compare-a-label">{result.a.label}</span>{" "}
                <span class="muted small">({formatInteger(result.a.rows)} responses)</span> · B:
                {" "}
                <span data-testid="compare-b-label">{result.b.label}</span>{" "}
                <span class="muted small">({formatInteger(result.b.rows)} responses)</span>
              </>
            }
            testId="compare-result"
          >
            {result.reason ? <p class="muted" data-testid="compare-reason">{result.reason}</p> : (
              <>
                <ul class="verdicts" data-testid="compare-verdicts">
                  {result.verdicts.map((v, i) => (
                    <li
                      key={v}
                      data-testid="compare-verdict"
                      class={result.result!.columns[i]?.significant ? "significant" : ""}
                    >
                      {v}
                    </li>
                  ))}
                </ul>
                <LookFor help={CHART_HELP.compareTable} />
                <DataTable columns={COMPARE_COLUMNS} testId="compare-table">
                  {result.result!.columns.map((c) => <Row key={c.column} c={c} />)}
                </DataTable>
              </>
            )}
          </Card>
        )}
      {result?.result
        ? (
          <div class="grid-2">
            <PlotCard
              title={CHART_TITLES.comparisonDifferences}
              help={CHART_HELP.compareDifferences}
              data={columns}
              spec={differenceChart}
              label="Difference of B from A per column, in percent of A, with 95% intervals"
              testId="chart-compare-differences"
              empty="No numeric column to compare."
            />
            <PlotCard
              title={CHART_TITLES.comparisonRates}
              help={CHART_HELP.compareRates}
              data={columns}
              spec={ratesChart}
              label="Rates of A and B per binary column"
              testId="chart-compare-rates"
              empty="No rate to compare."
            />
          </div>
        )
        : null}
    </div>
  );
}
