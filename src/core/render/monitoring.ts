/**
 * Monitoring queries for a diagnosed failure: Datadog log / trace queries and a log-alert
 * monitor query, and the Cloud Logging filter. Built from the facts so that the monitor
 * watches for exactly this failure coming back (and for the success that proves the fix).
 */
import type { Diagnosis } from '../model.js';

export interface MonitoringQueries {
  datadogLogs: string;
  datadogTraces: string;
  /** A Datadog `log alert` monitor query (POST /api/v1/monitor, type "log alert"). */
  datadogMonitor: string;
  cloudLogging: string;
  /** Audit log filter naming the principal and permission the error hides. */
  cloudAudit: string;
}

function ddQuote(s: string): string {
  return `"${s.replace(/["\\]/g, '\\$&')}"`;
}

export function monitoringQueries(d: Diagnosis): MonitoringQueries {
  const f = d.facts;
  const service =
    d.context.service && !/\.googleapis\.com$/.test(d.context.service) ? d.context.service : undefined;
  const svc = service ? `service:${service} ` : '';
  const marker = f.reason ?? f.status ?? (f.http ? String(f.http) : 'error');
  const logs = `${svc}status:error ${ddQuote(marker)}`;
  const api = f.service ?? 'aiplatform.googleapis.com';
  const runtimeFilter =
    d.context.runtime === 'cloud-run'
      ? `resource.type="cloud_run_revision"${service ? ` AND resource.labels.service_name="${service}"` : ''} AND `
      : '';
  return {
    datadogLogs: logs,
    datadogTraces: `${svc}status:error${f.http ? ` @http.status_code:${f.http}` : ''}`,
    datadogMonitor: `logs(${JSON.stringify(logs)}).index("*").rollup("count").last("5m") > 0`,
    cloudLogging: `${runtimeFilter}severity>=ERROR AND (textPayload:"${marker}" OR jsonPayload.message:"${marker}")`,
    cloudAudit:
      `protoPayload.serviceName="${api}" AND protoPayload.status.code=${f.http === 429 ? 8 : f.http === 404 ? 5 : 7}` +
      (f.permission ? ` AND protoPayload.authorizationInfo.permission="${f.permission}"` : ''),
  };
}
