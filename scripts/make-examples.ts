/**
 * Writes examples/export.jsonl, the log export the README's `logs` and `report` rows read: the
 * sandbox's own Datadog Logs generator (background traffic plus a burst of the seed incident),
 * one Logs API event per line, as a Datadog export or `logs --datadog` sees them. Deterministic:
 * a fixed seed and end time, so regenerating it gives the same file.
 *
 *   node --import tsx scripts/make-examples.ts
 */
import { writeFileSync } from 'node:fs';
import { generateDatadogEvents } from '../src/sandbox/datadog-api.js';

const END = Date.parse('2026-01-02T17:45:00Z');
const events = generateDatadogEvents(400, END);
const file = new URL('../examples/export.jsonl', import.meta.url);
writeFileSync(file, `${events.map((e) => JSON.stringify(e)).join('\n')}\n`);
process.stdout.write(`wrote ${events.length} events to examples/export.jsonl\n`);
