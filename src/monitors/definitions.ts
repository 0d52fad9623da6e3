/**
 * The monitors that would have caught the seed incident, for one service: Datadog log alerts per
 * catalog family (permission 1152, throttling 1153, credentials 1100-1104, project setup
 * 1150/1110/1111/1112), an APM error-rate monitor on the service's resource, and the Cloud
 * Monitoring equivalents (log-based metric + alert policy). Pure data in the APIs' own wire shapes
 * (`POST /api/v1/monitor` bodies, LogMetric, AlertPolicy); renderers and `--apply` take it from here.
 */
import type { IncidentMonitoring } from '../core/incidents/runbook.js';
import type { ErrorCode } from '../core/taxonomy.js';

export const MANAGED_BY_TAG = 'managed-by:genai-doctor';
/** Tag key that names which of our monitors a Datadog monitor is: matched on --apply. */
export const MONITOR_KEY_TAG = 'genai-doctor-monitor';

export interface MonitorSettings {
  service: string;
  env?: string;
  /** APM resource of the failing endpoint. */
  resource: string;
  /** Span name whose trace metrics carry the resource (fastapi.request, express.request...). */
  spanName: string;
  /** Notification handles, e.g. @slack-genai-oncall; a placeholder when none are given. */
  notify: string[];
  /** URL template of the catalog page, `{code}` replaced; the CLI's `explain` is always named. */
  runbookUrl?: string;
  /** Error-rate threshold of the APM monitor (fraction of requests). */
  errorRate: number;
  /** Throttled requests per 5 minutes that page. */
  throttleCritical: number;
  /** How on-call runs genai-doctor (`genai-doctor` when installed globally); default `npx genai-doctor`. */
  cli?: string;
}

const cliOf = (s: MonitorSettings): string => s.cli ?? 'npx genai-doctor';

/** One family of causes that a log alert watches for. */
interface Family {
  key: string;
  title: string;
  codes: ErrorCode[];
  /** Datadog full-text terms (OR-ed) that the family's failures carry. */
  terms: string[];
  /** Cloud Logging query terms (OR-ed). */
  gcpTerms: string[];
  critical: number;
  warning?: number;
  priority: number;
}

const FAMILIES: Family[] = [
  {
    key: 'permission-denied',
    title: 'Gemini / Vertex AI permission denied',
    codes: [1152],
    terms: ['PERMISSION_DENIED', 'IAM_PERMISSION_DENIED', '"denied on resource"', 'SECURITY_POLICY_VIOLATED'],
    gcpTerms: ['"PERMISSION_DENIED"', '"IAM_PERMISSION_DENIED"', '"SECURITY_POLICY_VIOLATED"'],
    critical: 0,
    priority: 2,
  },
  {
    key: 'throttled',
    title: 'Gemini / Vertex AI requests throttled',
    codes: [1153],
    terms: ['RESOURCE_EXHAUSTED', '"Resource exhausted"', '"429 Too Many Requests"'],
    gcpTerms: ['"RESOURCE_EXHAUSTED"', '"Resource exhausted"'],
    critical: 10,
    warning: 1,
    priority: 3,
  },
  {
    key: 'credentials',
    title: 'Gemini / Vertex AI credentials rejected or quota used up',
    codes: [1100, 1101, 1102, 1103, 1104],
    terms: [
      'UNAUTHENTICATED',
      'API_KEY_INVALID',
      'DefaultCredentialsError',
      'ACCESS_TOKEN_SCOPE_INSUFFICIENT',
      'ACCESS_TOKEN_EXPIRED',
      'CREDENTIALS_MISSING',
      '"Quota exceeded"',
    ],
    gcpTerms: [
      '"UNAUTHENTICATED"',
      '"API_KEY_INVALID"',
      '"DefaultCredentialsError"',
      '"ACCESS_TOKEN_SCOPE_INSUFFICIENT"',
    ],
    critical: 0,
    priority: 2,
  },
  {
    key: 'project-setup',
    title: 'Gemini / Vertex AI project not set up (project, API, billing, quota project)',
    codes: [1150, 1110, 1111, 1112],
    terms: ['CONSUMER_INVALID', 'SERVICE_DISABLED', 'BILLING_DISABLED', 'USER_PROJECT_DENIED'],
    gcpTerms: ['"CONSUMER_INVALID"', '"SERVICE_DISABLED"', '"BILLING_DISABLED"', '"USER_PROJECT_DENIED"'],
    critical: 0,
    priority: 2,
  },
];

/** A `POST /api/v1/monitor` body (snake_case, as the API takes it). */
export interface DatadogMonitor {
  name: string;
  type: 'log alert' | 'query alert';
  query: string;
  message: string;
  tags: string[];
  priority: number;
  options: {
    thresholds: { critical: number; warning?: number };
    notify_no_data: boolean;
    renotify_interval: number;
    include_tags: boolean;
    require_full_window?: boolean;
    enable_logs_sample?: boolean;
    notify_audit: boolean;
    evaluation_delay?: number;
  };
}

/** logging.googleapis.com/v2 LogMetric. */
export interface LogMetric {
  name: string;
  description: string;
  filter: string;
  metricDescriptor: { metricKind: 'DELTA'; valueType: 'INT64'; unit: string };
}

/** monitoring.googleapis.com/v3 AlertPolicy (the fields we set). */
export interface AlertPolicy {
  displayName: string;
  combiner: 'OR';
  conditions: Array<{
    displayName: string;
    conditionThreshold: {
      filter: string;
      aggregations: Array<{ alignmentPeriod: string; perSeriesAligner: string; crossSeriesReducer: string }>;
      comparison: 'COMPARISON_GT';
      thresholdValue: number;
      duration: string;
      trigger: { count: number };
    };
  }>;
  documentation: { content: string; mimeType: 'text/markdown' };
  userLabels: Record<string, string>;
  alertStrategy: { autoClose: string };
  notificationChannels: string[];
  severity: 'ERROR' | 'WARNING';
}

export interface GcpMonitor {
  key: string;
  metric: LogMetric;
  policy: AlertPolicy;
}

export interface MonitorSet {
  datadog: Array<{ key: string; monitor: DatadogMonitor }>;
  gcp: GcpMonitor[];
}

/** Datadog tag values: lower case, and characters outside [a-z0-9_.:/-] become `_`. */
export function tagValue(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9_.:/-]/g, '_')
    .replace(/_+/g, '_');
}

/** A quoted string inside `logs("...")` / Cloud Logging filters: backslashes and quotes escaped. */
function q(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

function runbookLines(s: MonitorSettings, codes: ErrorCode[]): string[] {
  const lines = [`Runbook: \`${cliOf(s)} explain ${codes[0]}\``];
  if (s.runbookUrl)
    for (const c of codes) lines.push(`Catalog page ${c}: ${s.runbookUrl.replace('{code}', String(c))}`);
  return lines;
}

function handles(s: MonitorSettings): string {
  return s.notify.length > 0 ? s.notify.join(' ') : '@your-team-handle';
}

function baseTags(s: MonitorSettings, key: string): string[] {
  const tags = [MANAGED_BY_TAG, `${MONITOR_KEY_TAG}:${key}`, `service:${tagValue(s.service)}`];
  if (s.env) tags.push(`env:${tagValue(s.env)}`);
  return tags;
}

function scope(s: MonitorSettings): string {
  return `service:${s.service}${s.env ? ` env:${s.env}` : ''}`;
}

/** The Datadog Logs search for one family's failures (also what the report's monitor shows). */
export function familyLogQuery(
  s: Pick<MonitorSettings, 'service' | 'env'>,
  key = 'permission-denied',
): string {
  const f = FAMILIES.find((x) => x.key === key) ?? (FAMILIES[0] as Family);
  return `${scope(s as MonitorSettings)} status:error (${f.terms.join(' OR ')})`;
}

function logAlert(s: MonitorSettings, f: Family): DatadogMonitor {
  const search = familyLogQuery(s, f.key);
  const codes = f.codes.join('/');
  const message = [
    `{{#is_alert}}${f.title} on ${s.service}: {{value}} failing calls in the last 5 minutes.{{/is_alert}}`,
    ...(f.warning !== undefined
      ? [
          `{{#is_warning}}${f.title} on ${s.service}: {{value}} failing calls in the last 5 minutes.{{/is_warning}}`,
        ]
      : []),
    '',
    `Catalog code${f.codes.length > 1 ? 's' : ''} ${codes}. Group and diagnose the failures: \`${cliOf(s)} logs --datadog '${scope(s)} status:error' --from now-1h\`.`,
    ...runbookLines(s, f.codes),
    '',
    handles(s),
  ].join('\n');
  return {
    name: `[genai-doctor] ${s.service}${s.env ? ` (${s.env})` : ''}: ${f.title} (${codes})`,
    type: 'log alert',
    query: `logs("${q(search)}").index("*").rollup("count").last("5m") > ${f.critical}`,
    message,
    tags: [...baseTags(s, f.key), ...f.codes.map((c) => `genai-doctor-code:${c}`)],
    priority: f.priority,
    options: {
      thresholds:
        f.warning !== undefined ? { critical: f.critical, warning: f.warning } : { critical: f.critical },
      notify_no_data: false,
      renotify_interval: 60,
      include_tags: true,
      enable_logs_sample: true,
      notify_audit: false,
    },
  };
}

/** The APM trace metric tag scope of the resource: `resource_name` values are normalised tags. */
function apmScope(s: MonitorSettings): string {
  const parts = [`service:${tagValue(s.service)}`];
  if (s.env) parts.push(`env:${tagValue(s.env)}`);
  parts.push(`resource_name:${tagValue(s.resource)}`);
  return parts.join(',');
}

function apmErrorRate(s: MonitorSettings): DatadogMonitor {
  const sc = apmScope(s);
  const metric = (suffix: string) => `sum:trace.${s.spanName}.${suffix}{${sc}}.as_count()`;
  const warning = Math.round((s.errorRate / 2) * 1e6) / 1e6;
  return {
    name: `[genai-doctor] ${s.service}${s.env ? ` (${s.env})` : ''}: error rate on ${s.resource}`,
    type: 'query alert',
    query: `sum(last_10m):( ${metric('errors')} / ${metric('hits')} ) > ${s.errorRate}`,
    message: [
      `{{#is_alert}}${s.resource} on ${s.service} fails for {{value}} of requests (threshold ${s.errorRate}).{{/is_alert}}`,
      `{{#is_warning}}${s.resource} on ${s.service} error rate is {{value}}.{{/is_warning}}`,
      '',
      `Check the permission / throttling / credential monitors of this service first; then \`${cliOf(s)} logs --datadog 'service:${s.service} status:error' --from now-1h\`.`,
      ...runbookLines(s, [1152, 1153]),
      '',
      handles(s),
    ].join('\n'),
    tags: [...baseTags(s, 'apm-error-rate'), `resource_name:${tagValue(s.resource)}`],
    priority: 2,
    options: {
      thresholds: { critical: s.errorRate, warning },
      notify_no_data: false,
      renotify_interval: 60,
      include_tags: true,
      require_full_window: false,
      notify_audit: false,
    },
  };
}

/** Cloud Logging filter for a family's failures of a Cloud Run service. */
function gcpFilter(s: MonitorSettings, f: Family): string {
  return [
    'resource.type="cloud_run_revision"',
    `resource.labels.service_name="${q(s.service)}"`,
    'severity>=ERROR',
    `(${f.gcpTerms.join(' OR ')})`,
  ].join(' AND ');
}

/** LogMetric names: letters, digits and _-.,+!*',()%/ only, 100 characters at most. */
export function metricName(service: string, key: string): string {
  return `genai_doctor/${service.replace(/[^A-Za-z0-9_.-]/g, '_')}/${key}`.slice(0, 100);
}

function labelValue(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '_')
    .slice(0, 63);
}

/** An alert policy on a log-based counter: more than `threshold` in 5 minutes. */
export function countAlertPolicy(p: {
  displayName: string;
  conditionName: string;
  metricFilter: string;
  threshold: number;
  documentation: string;
  labels: Record<string, string>;
  severity: AlertPolicy['severity'];
}): AlertPolicy {
  return {
    displayName: p.displayName,
    combiner: 'OR',
    conditions: [
      {
        displayName: p.conditionName,
        conditionThreshold: {
          filter: p.metricFilter,
          aggregations: [
            { alignmentPeriod: '300s', perSeriesAligner: 'ALIGN_SUM', crossSeriesReducer: 'REDUCE_SUM' },
          ],
          comparison: 'COMPARISON_GT',
          thresholdValue: p.threshold,
          duration: '0s',
          trigger: { count: 1 },
        },
      },
    ],
    documentation: { content: p.documentation, mimeType: 'text/markdown' },
    userLabels: { 'managed-by': 'genai-doctor', ...p.labels },
    alertStrategy: { autoClose: '1800s' },
    notificationChannels: [],
    severity: p.severity,
  };
}

function gcpMonitor(s: MonitorSettings, f: Family): GcpMonitor {
  const name = metricName(s.service, f.key);
  const codes = f.codes.join('/');
  return {
    key: f.key,
    metric: {
      name,
      description: `${f.title} (${codes}) in ${s.service}: counted by genai-doctor's log-based metric.`,
      filter: gcpFilter(s, f),
      metricDescriptor: { metricKind: 'DELTA', valueType: 'INT64', unit: '1' },
    },
    policy: countAlertPolicy({
      displayName: `[genai-doctor] ${s.service}: ${f.title} (${codes})`,
      conditionName: `${f.title} > ${f.critical} in 5 min`,
      metricFilter: `metric.type="logging.googleapis.com/user/${name}" AND resource.type="cloud_run_revision"`,
      threshold: f.critical,
      documentation: [
        `${f.title} on Cloud Run service \`${s.service}\` (catalog ${codes}).`,
        '',
        `Group the failures: \`${cliOf(s)} logs --gcp-logging 'resource.labels.service_name="${s.service}" severity>=ERROR' --project PROJECT --from now-1h\``,
        ...runbookLines(s, f.codes),
      ].join('\n'),
      labels: { service: labelValue(s.service), 'genai-doctor-monitor': f.key },
      severity: f.priority <= 2 ? 'ERROR' : 'WARNING',
    }),
  };
}

export function monitorSet(s: MonitorSettings): MonitorSet {
  return {
    datadog: [
      ...FAMILIES.map((f) => ({ key: f.key, monitor: logAlert(s, f) })),
      { key: 'apm-error-rate', monitor: apmErrorRate(s) },
    ],
    gcp: FAMILIES.map((f) => gcpMonitor(s, f)),
  };
}

/** The Datadog trace search that shows the failing requests (for the report). */
export function traceQuery(s: Pick<MonitorSettings, 'service' | 'env' | 'resource'>): string {
  return `service:${s.service}${s.env ? ` env:${s.env}` : ''} resource_name:"${s.resource}" status:error`;
}

/** The Datadog and Cloud Logging search terms of the family that watches a catalog code. */
export function familyTermsOf(
  code: number,
): { key: string; title: string; terms: string[]; gcpTerms: string[] } | undefined {
  const f = FAMILIES.find((x) => (x.codes as number[]).includes(code));
  return f && { key: f.key, title: f.title, terms: f.terms, gcpTerms: f.gcpTerms };
}

/** The family (and so the monitor) that watches for a catalog code, if one does. */
export function familyKeyOf(code: number): string | undefined {
  return FAMILIES.find((f) => (f.codes as number[]).includes(code))?.key;
}

/**
 * The family whose log alert would fire on this failure: the first whose search terms the error
 * text holds (a project mismatch still reads PERMISSION_DENIED), else the one of its code.
 */
export function familyKeyFor(code: number, text: string): string | undefined {
  const byText = FAMILIES.find((f) => f.terms.some((t) => text.includes(t.replace(/^"|"$/g, ''))));
  return byText?.key ?? familyKeyOf(code);
}

/** The Datadog queries a runbook shows for an incident of `code` in the service. */
export function incidentMonitoring(
  s: MonitorSettings,
  code: number,
  text: string,
  successText?: string,
): IncidentMonitoring {
  const key = familyKeyFor(code, text);
  const set = monitorSet(s);
  const monitor = (
    set.datadog.find((m) => m.key === key) ?? set.datadog.find((m) => m.key === 'apm-error-rate')
  )?.monitor as DatadogMonitor;
  return {
    logsQuery: key ? familyLogQuery(s, key) : `${scope(s)} status:error`,
    successQuery: successText ? `${scope(s)} "${q(successText)}"` : `${scope(s)} -status:error`,
    traceQuery: traceQuery(s),
    monitorName: monitor.name,
    monitorQuery: monitor.query,
    cli: cliOf(s),
    applyCommand: `${cliOf(s)} monitors --service ${s.service}${s.env ? ` --env ${s.env}` : ''} --apply`,
  };
}
