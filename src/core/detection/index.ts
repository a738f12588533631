// Early detection from KPI data (SPEC §14): the pure engine the CLI, the App and the Action share.
export type { DetectionConfig, Sensitivity } from "./config.js";
export { detectionSchema, SENSITIVITIES } from "./config.js";
export type { KpiInputError, KpiParse, KpiSeries, KpiSeriesSet, ParseOptions } from "./parse.js";
export { MAX_GRID_POINTS, MAX_SERIES, parseKpi } from "./parse.js";
export type { Layer, Signal, Thresholds } from "./thresholds.js";
export { KNOWN_METRICS, thresholds } from "./thresholds.js";
export { band, detect, newestAt, replay } from "./engine.js";
