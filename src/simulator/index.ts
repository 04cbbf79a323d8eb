/** The built-in AxelNAC simulator, written from docs/axelnac-api.md and sharing no code with the client. */
export { FaultsError } from "./faults";
export type { StoredGuest } from "./guest-directory";
export { GuestsFileError, readGuestsFile } from "./guests-file";
export { SIMULATOR_DEFAULTS, type SimulatorOptions } from "./options";
export { startSimulator } from "./start";
export type { Faults, SentSms, Simulator, SimulatorStats } from "./types";
