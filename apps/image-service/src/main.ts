#!/usr/bin/env node
/**
 * Entry point: `node apps/image-service/dist/main.js` (npm run service, the container's CMD).
 * The tracer must come first; everything else is imported after it so that it gets instrumented.
 */
import './tracer.js';

const { runFromEnvironment } = await import('./run.js');
await runFromEnvironment();
