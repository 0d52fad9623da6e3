/**
 * `genai-doctor/workload`: what a workload embedding genai-doctor uses at run time (the reference
 * image service): the live access check and the identity the workload runs as. A separate entry
 * point so that the library's root stays pure (no I/O modules loaded).
 */
export { metadataIdentity } from './gcp/metadata.js';
export { readAdcFile } from './live/adc.js';
export { runCheck } from './live/check.js';
