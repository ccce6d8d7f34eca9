/**
 * Statistical drift library: Evidently's drift tests computed in TypeScript, with p-values
 * matching scipy, and the drift monitor's windows and reports. Pure: no Kafka, no stack, no
 * server; browser-safe (no `Deno.*`), except `cli.ts`.
 *
 * @example
 * ```ts
 * import { datasetDrift, ks } from "./mod.ts";
 * ks([1, 2, 3], [4, 5, 6]).statistic; // 1
 * datasetDrift([{ x: 1.5 }, { x: 2.5 }], [{ x: 1.5 }, { x: 9.5 }]).columns_total; // 1
 * ```
 *
 * @module
 */

export type {
  BinnedTestOptions,
  Category,
  CellValue,
  ColumnKind,
  Row,
  StatTestName,
  StatTestOptions,
  StatTestResult,
} from "./types.ts";
export { ks, KS_DEFAULT_THRESHOLD, KS_MAX_AUTO_N, type KsOptions, type KsResult } from "./ks.ts";
export { chisquare, CHISQUARE_DEFAULT_THRESHOLD } from "./chisquare.ts";
export { Z_DEFAULT_THRESHOLD, zTest } from "./two_proportion_z.ts";
export {
  populationStd,
  wasserstein,
  WASSERSTEIN_DEFAULT_THRESHOLD,
  wassersteinSorted,
} from "./wasserstein.ts";
export {
  jensenshannon,
  JENSENSHANNON_DEFAULT_THRESHOLD,
  jensenShannonDistance,
} from "./jensenshannon.ts";
export { psi, PSI_DEFAULT_THRESHOLD } from "./psi.ts";
export { type BinnedShares, binnedShares } from "./_binning.ts";
export {
  chooseStatTest,
  defaultStatTestName,
  getStatTest,
  STATTEST_NAMES,
  type StatTestDefinition,
  STATTESTS,
} from "./registry.ts";
export { detectColumnKind, INTEGER_CARDINALITY_LIMIT } from "./column_kind.ts";
export {
  columnDrift,
  columnDriftOfPair,
  type ColumnDriftOptions,
  type ColumnDriftResult,
  numericColumnKind,
} from "./column_drift.ts";
export {
  CellsColumn,
  CodedColumn,
  type Column,
  ColumnarTable,
  columnOf,
  ColumnPair,
  NumericColumn,
  type PairCodes,
  type SideCounts,
} from "./columnar.ts";
export { type Argsort, argsortFloat64, sortFloat64 } from "./_radix_sort.ts";
export {
  columnNames,
  type ColumnOverride,
  columnValues,
  datasetDrift,
  datasetDriftOfTables,
  type DatasetDriftOptions,
  type DatasetDriftResult,
  DEFAULT_DRIFT_SHARE,
} from "./dataset_drift.ts";
export {
  type DriftReport,
  driftReport,
  driftReportOfTables,
  formatReport,
  toJsonSafe,
} from "./report.ts";
export {
  type ColumnQuality,
  columnQualityOfPair,
  type ColumnStats,
  columnStats,
  qualityOfTables,
  qualitySummary,
  quantileSorted,
} from "./quality.ts";
export {
  averageRanks,
  correlationMatrices,
  type CorrelationMatrix,
  type Correlations,
  correlationsOfTable,
  pearson,
  spearman,
} from "./correlation.ts";
export {
  llmColumns,
  type LlmColumnsRow,
  type LlmResponseLike,
  type TextDescriptors,
  textDescriptors,
} from "./llm_columns.ts";
export {
  CSV_MISSING,
  formatFromName,
  parseCsv,
  parseCsvRecords,
  parseJsonl,
  parseJsonRows,
  parseTable,
  type TableFormat,
} from "./table.ts";
export { chi2Sf, erfc, gammaincP, gammaincQ, lgamma, normalCdf } from "./_special.ts";
export { kolmogn, kstwoSf, smirnovSf } from "./_kolmogorov.ts";
export {
  checkLlmDriftOptions,
  comparableColumns,
  driftFromResponses,
  driftFromRows,
  LLM_COLUMNS,
  type LlmDriftOptions,
  toCsv,
} from "./llm_report.ts";
export {
  type ComparedRows,
  DEFAULT_CURRENT_SIZE,
  DEFAULT_REFERENCE_SIZE,
  DriftWindows,
  type DriftWindowsOptions,
  PROVISIONAL_MIN_ROWS,
  type ReferenceKind,
  type ReferenceSpec,
  type WindowDescription,
  type WindowEvent,
  type WindowsDescription,
} from "./windows.ts";
export {
  type ColumnDistribution,
  type DriftAlert,
  type DriftSettings,
  type DriftSnapshot,
  type DriftStatus,
  DriftTracker,
  type DriftTrackerOptions,
  type DriftWaiting,
  MAX_ALERTS,
} from "./tracker.ts";
export { responsesCsv } from "./responses_csv.ts";
export { BUNDLED_BASELINE, parseBaseline, TIMING_COLUMNS, withoutTimings } from "./baseline.ts";
