// The frozen row path (see README.md), re-exported for lib/drift/columnar_test.ts.
export { binnedShares } from "./_binning.ts";
export { chisquare } from "./chisquare.ts";
export { columnDrift } from "./column_drift.ts";
export { correlationMatrices } from "./correlation.ts";
export { datasetDrift } from "./dataset_drift.ts";
export { jensenshannon } from "./jensenshannon.ts";
export { ks } from "./ks.ts";
export { driftFromRows } from "./llm_report.ts";
export { psi } from "./psi.ts";
export { qualitySummary } from "./quality.ts";
export { driftReport } from "./report.ts";
export { zTest } from "./two_proportion_z.ts";
export { wasserstein } from "./wasserstein.ts";
