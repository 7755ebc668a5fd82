// vaapi-vk/internals: what the examples, benchmarks and tests use beside the public API (lib/index.ts):
// the example CLIs' flag parsing, the quirk tables, GPU timing and roofline helpers, test exporters.
// Not covered by the stability of the public API.
export { type CliFlag, type CliSpec, cliHelp, cliInt, cliUsageError, cliWritable, parseCli, runCli } from "./cli";
export { DRIVER_QUIRKS, type DriverQuirk, EXPORT_QUIRKS, type ExportQuirk, exportQuirk, quirksOf } from "./quirks";
export { chooseDispatch, dispatchCandidates, dispatchTable, MEASURE_MIN_PIXELS } from "./vulkan/dispatch";
export { exportOpaqueFd } from "./vulkan/export";
export { sealedMemfd } from "./vulkan/memfd";
export { copyBuffer, readBuffer } from "./vulkan/memory";
export { copyRoofline, gpuTimeNs } from "./vulkan/timing";
