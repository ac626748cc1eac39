/** Cloud exports plumbing (JSON with paths, the export registry) and the scenario file: the path of layers of a flow. */
export { CLOUD_EXPORTS, detectExport, type CloudId, type ExportKind } from './export-registry.js';
export { loadExports, classifyExports, looksLikeCloudExports, type LoadedExports, type ExportDoc } from './load-exports.js';
export { parseScenario, looksLikeScenario, type Scenario, type ScenarioLayer } from './scenario-file.js';
export { CloudScenario, loadScenarioFile, scenarioFromArgs, modelOf, type HostLoader, type HostLoad, type FlowPath, type CloudModel } from './build-path.js';
export { lintInputOf, type LintInput, type LintLayer } from './lint-input.js';
