/**
 * The per-record size cap every log reader holds to. A record (a JSON line, an element of a JSON
 * document, a text line, a CSV record) longer than this is counted as oversized, reported with its
 * line number and skipped unread: memory is bounded by the cap, never by the file, and no string
 * is ever built from more than the cap (V8 refuses strings over ~512 MB).
 * No imports: the scan workers load this module.
 */

/**
 * 16 MB. Google and Datadog write much smaller records (a Cloud Logging LogEntry is at most
 * 256 KiB, an audit entry 512 KiB; Datadog truncates a log at 1 MB), but a Datadog Logs API page
 * saved one page per line holds up to 5,000 of them, a few MB in practice.
 */
export const MAX_RECORD_BYTES = 16_000_000;
