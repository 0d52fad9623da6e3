/**
 * One monitor per finding class of a scan, in Datadog and Cloud Monitoring: for a class that will
 * fail, a log alert on the failures it produces, scoped to the services the scan found with it;
 * for a risky setup, an alert on the audit-log event that creates it again (a primitive role
 * granted to a service account, an API key created or changed). Same wire shapes as the
 * per-service monitors, so the same renderers and `--apply` take them.
 */
import type { ScanFinding } from '../scan/model.js';
import {
  countAlertPolicy,
  type DatadogMonitor,
  familyTermsOf,
  type GcpMonitor,
  MANAGED_BY_TAG,
  MONITOR_KEY_TAG,
  type MonitorSet,
  metricName,
  tagValue,
} from './definitions.js';

/** The service tag every scan monitor carries (what `--apply` matches existing monitors on). */
export const SCAN_SERVICE = 'genai-doctor-scan';

export interface ScanMonitorSettings {
  notify: string[];
  env?: string;
}

interface ClassWatch {
  key: string;
  title: string;
  /** Datadog Logs search. */
  search: string;
  /** Cloud Logging filter. */
  filter: string;
  critical: number;
  priority: number;
}

const q = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

const AUDIT_PRIMITIVE_GRANT = (memberPattern: string, gcpMember: string) => ({
  search: `source:gcp.cloudaudit @data.protoPayload.methodName:SetIamPolicy @data.protoPayload.serviceData.policyDelta.bindingDeltas.action:ADD @data.protoPayload.serviceData.policyDelta.bindingDeltas.role:(roles/editor OR roles/owner) @data.protoPayload.serviceData.policyDelta.bindingDeltas.member:${memberPattern}`,
  filter: `logName:"cloudaudit.googleapis.com%2Factivity" AND protoPayload.methodName="SetIamPolicy" AND protoPayload.serviceData.policyDelta.bindingDeltas.action="ADD" AND protoPayload.serviceData.policyDelta.bindingDeltas.role=("roles/editor" OR "roles/owner") AND protoPayload.serviceData.policyDelta.bindingDeltas.member=~"${gcpMember}"`,
});

type Kind = NonNullable<ScanFinding['workload']>['kind'];

/**
 * The Cloud Logging resource each workload kind writes its logs under and the label naming it
 * (2nd gen functions are Cloud Run services and log as their revisions).
 */
const LOG_RESOURCE: Record<Kind, { type: string; label: string }> = {
  'cloud-run': { type: 'cloud_run_revision', label: 'resource.labels.service_name' },
  'cloud-function': { type: 'cloud_run_revision', label: 'resource.labels.service_name' },
  'reasoning-engine': {
    type: 'aiplatform.googleapis.com/ReasoningEngine',
    label: 'resource.labels.reasoning_engine_id',
  },
  'vertex-endpoint': { type: 'aiplatform.googleapis.com/Endpoint', label: 'resource.labels.endpoint_id' },
  'gke-cluster': { type: 'k8s_container', label: 'resource.labels.cluster_name' },
  'compute-instance': { type: 'gce_instance', label: 'labels."compute.googleapis.com/resource_name"' },
};

/** `(resource.type="T" AND label=("a" OR "b")) OR (...)`: the findings' workloads, per log resource. */
function workloadLogFilter(findings: ScanFinding[]): string {
  const byType = new Map<string, { label: string; names: Set<string> }>();
  for (const w of findings.map((f) => f.workload)) {
    if (!w) continue;
    const r = LOG_RESOURCE[w.kind];
    const entry = byType.get(r.type) ?? { label: r.label, names: new Set<string>() };
    entry.names.add(w.service);
    byType.set(r.type, entry);
  }
  const parts = [...byType]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([type, { label, names }]) =>
        `resource.type="${q(type)}" AND ${label}=(${[...names]
          .sort()
          .map((n) => `"${q(n)}"`)
          .join(' OR ')})`,
    );
  return parts.length === 1 ? (parts[0] as string) : `(${parts.map((p) => `(${p})`).join(' OR ')})`;
}

function watchOf(cls: string, findings: ScanFinding[]): ClassWatch | undefined {
  const f = findings[0] as ScanFinding;
  if (f.severity === 'will-fail' && f.code !== undefined) {
    const family = familyTermsOf(f.code);
    if (!family) return undefined;
    const services = [
      ...new Set(findings.map((x) => x.workload?.service).filter((s): s is string => !!s)),
    ].sort();
    return {
      key: `scan-${cls}`,
      title: `${f.title} (${f.code} ${cls})`,
      search: `service:(${services.join(' OR ')}) status:error (${family.terms.join(' OR ')})`,
      filter: [workloadLogFilter(findings), 'severity>=ERROR', `(${family.gcpTerms.join(' OR ')})`].join(
        ' AND ',
      ),
      critical: 0,
      priority: 2,
    };
  }
  switch (cls) {
    case 'risk.default_sa_editor':
      return {
        key: `scan-${cls}`,
        title: 'roles/editor or roles/owner granted to a default compute account',
        ...AUDIT_PRIMITIVE_GRANT(
          '*-compute@developer.gserviceaccount.com',
          '^serviceAccount:[0-9]+-compute@developer\\\\.gserviceaccount\\\\.com$',
        ),
        critical: 0,
        priority: 3,
      };
    case 'risk.primitive_role':
      return {
        key: `scan-${cls}`,
        title: 'roles/editor or roles/owner granted to a service account',
        ...AUDIT_PRIMITIVE_GRANT('serviceAccount*', '^serviceAccount:'),
        critical: 0,
        priority: 3,
      };
    case 'risk.unrestricted_api_key':
      return {
        key: `scan-${cls}`,
        title: 'API key created or its restrictions changed',
        search:
          'source:gcp.cloudaudit @data.protoPayload.methodName:(google.api.apikeys.v2.ApiKeys.CreateKey OR google.api.apikeys.v2.ApiKeys.UpdateKey)',
        filter:
          'logName:"cloudaudit.googleapis.com%2Factivity" AND protoPayload.methodName=("google.api.apikeys.v2.ApiKeys.CreateKey" OR "google.api.apikeys.v2.ApiKeys.UpdateKey")',
        critical: 0,
        priority: 4,
      };
    default:
      // A shared identity has no single event that makes it: it is reported by the next scan.
      return undefined;
  }
}

function datadog(w: ClassWatch, count: number, s: ScanMonitorSettings): DatadogMonitor {
  const tags = [MANAGED_BY_TAG, `${MONITOR_KEY_TAG}:${w.key}`, `service:${SCAN_SERVICE}`];
  if (s.env) tags.push(`env:${tagValue(s.env)}`);
  return {
    name: `[genai-doctor scan] ${w.title}`,
    type: 'log alert',
    query: `logs("${q(w.search)}").index("*").rollup("count").last("5m") > ${w.critical}`,
    message: [
      `{{#is_alert}}${w.title}: {{value}} events in the last 5 minutes.{{/is_alert}}`,
      '',
      `The last scan found ${count} finding${count === 1 ? '' : 's'} of this class. Re-run \`npx genai-doctor scan\` to see where, and \`--fix-plan\` for the fixes.`,
      '',
      s.notify.length ? s.notify.join(' ') : '@your-team-handle',
    ].join('\n'),
    tags,
    priority: w.priority,
    options: {
      thresholds: { critical: w.critical },
      notify_no_data: false,
      renotify_interval: 60,
      include_tags: true,
      enable_logs_sample: true,
      notify_audit: false,
    },
  };
}

function gcp(w: ClassWatch, count: number): GcpMonitor {
  const name = metricName(SCAN_SERVICE, w.key);
  return {
    key: w.key,
    metric: {
      name,
      description: `${w.title}: counted by genai-doctor's log-based metric (scan finding class).`,
      filter: w.filter,
      metricDescriptor: { metricKind: 'DELTA', valueType: 'INT64', unit: '1' },
    },
    policy: countAlertPolicy({
      displayName: `[genai-doctor scan] ${w.title}`,
      conditionName: `${w.title} > ${w.critical} in 5 min`,
      metricFilter: `metric.type="logging.googleapis.com/user/${name}"`,
      threshold: w.critical,
      documentation: `${w.title}. The last scan found ${count} finding${count === 1 ? '' : 's'} of this class: re-run \`npx genai-doctor scan\` to see where.`,
      labels: { service: SCAN_SERVICE, 'genai-doctor-monitor': w.key.replace(/[^a-z0-9_-]/g, '_') },
      severity: w.priority <= 2 ? 'ERROR' : 'WARNING',
    }),
  };
}

export function scanMonitorSet(findings: ScanFinding[], s: ScanMonitorSettings): MonitorSet {
  const byClass = new Map<string, ScanFinding[]>();
  for (const f of findings) byClass.set(f.class, [...(byClass.get(f.class) ?? []), f]);
  const set: MonitorSet = { datadog: [], gcp: [] };
  for (const [cls, list] of [...byClass].sort(([a], [b]) => a.localeCompare(b))) {
    const w = watchOf(cls, list);
    if (!w) continue;
    set.datadog.push({ key: w.key, monitor: datadog(w, list.length, s) });
    set.gcp.push(gcp(w, list.length));
  }
  return set;
}
