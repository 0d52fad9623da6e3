/**
 * Monitor definitions as the user takes them away: Datadog API JSON, Terraform `datadog_monitor`,
 * Cloud Monitoring JSON (LogMetric + AlertPolicy) and Terraform (`google_logging_metric`,
 * `google_monitoring_alert_policy`).
 */

import { type HclBlock, renderBlock, resourceName } from '../core/render/hcl.js';
import type { DatadogMonitor, GcpMonitor, MonitorSet } from './definitions.js';

export type MonitorFormat = 'json' | 'terraform' | 'gcp-json' | 'gcp-terraform';
export const MONITOR_FORMATS: MonitorFormat[] = ['json', 'terraform', 'gcp-json', 'gcp-terraform'];

export function renderMonitors(set: MonitorSet, format: MonitorFormat, service: string): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(
        set.datadog.map((m) => m.monitor),
        null,
        2,
      )}\n`;
    case 'terraform':
      return `${set.datadog.map((m) => renderBlock(datadogResource(service, m.key, m.monitor))).join('\n\n')}\n`;
    case 'gcp-json':
      return `${JSON.stringify(
        set.gcp.map((g) => ({ logMetric: g.metric, alertPolicy: g.policy })),
        null,
        2,
      )}\n`;
    case 'gcp-terraform':
      return `${set.gcp.flatMap((g) => gcpResources(service, g).map((b) => renderBlock(b))).join('\n\n')}\n`;
  }
}

function datadogResource(service: string, key: string, m: DatadogMonitor): HclBlock {
  const o = m.options;
  return {
    type: 'resource',
    labels: ['datadog_monitor', resourceName(`${service}_${key}`)],
    attrs: [
      ['name', m.name],
      ['type', m.type],
      ['query', m.query],
      ['message', m.message],
      ['priority', String(m.priority)],
      ['tags', m.tags],
      ['notify_no_data', o.notify_no_data],
      ['renotify_interval', o.renotify_interval],
      ['include_tags', o.include_tags],
      ['require_full_window', o.require_full_window],
      ['enable_logs_sample', o.enable_logs_sample],
      ['notify_audit', o.notify_audit],
    ],
    blocks: [
      {
        type: 'monitor_thresholds',
        labels: [],
        attrs: [
          ['critical', o.thresholds.critical],
          ['warning', o.thresholds.warning],
        ],
      },
    ],
  };
}

function gcpResources(service: string, g: GcpMonitor): HclBlock[] {
  const id = resourceName(`${service}_${g.key}`);
  const c = g.policy.conditions[0];
  const t = c?.conditionThreshold;
  const metric: HclBlock = {
    type: 'resource',
    labels: ['google_logging_metric', id],
    attrs: [
      ['name', g.metric.name],
      ['description', g.metric.description],
      ['filter', g.metric.filter],
    ],
    blocks: [
      {
        type: 'metric_descriptor',
        labels: [],
        attrs: [
          ['metric_kind', g.metric.metricDescriptor.metricKind],
          ['value_type', g.metric.metricDescriptor.valueType],
          ['unit', g.metric.metricDescriptor.unit],
        ],
      },
    ],
  };
  const policy: HclBlock = {
    type: 'resource',
    labels: ['google_monitoring_alert_policy', id],
    attrs: [
      ['display_name', g.policy.displayName],
      ['combiner', g.policy.combiner],
      ['severity', g.policy.severity],
      ['notification_channels', g.policy.notificationChannels],
      ['user_labels', g.policy.userLabels],
    ],
    blocks: [
      {
        type: 'conditions',
        labels: [],
        attrs: [['display_name', c?.displayName ?? g.policy.displayName]],
        blocks: t
          ? [
              {
                type: 'condition_threshold',
                labels: [],
                // The metric's name comes from the resource, so Terraform orders the two itself.
                attrs: [
                  [
                    'filter',
                    {
                      raw: `"metric.type=\\"logging.googleapis.com/user/\${google_logging_metric.${id}.name}\\" AND resource.type=\\"cloud_run_revision\\""`,
                    },
                  ],
                  ['comparison', t.comparison],
                  ['threshold_value', t.thresholdValue],
                  ['duration', t.duration],
                ],
                blocks: [
                  ...t.aggregations.map((a) => ({
                    type: 'aggregations',
                    labels: [],
                    attrs: [
                      ['alignment_period', a.alignmentPeriod],
                      ['per_series_aligner', a.perSeriesAligner],
                      ['cross_series_reducer', a.crossSeriesReducer],
                    ] as HclBlock['attrs'],
                  })),
                  { type: 'trigger', labels: [], attrs: [['count', t.trigger.count]] },
                ],
              },
            ]
          : [],
      },
      {
        type: 'documentation',
        labels: [],
        attrs: [
          ['content', g.policy.documentation.content],
          ['mime_type', g.policy.documentation.mimeType],
        ],
      },
      { type: 'alert_strategy', labels: [], attrs: [['auto_close', g.policy.alertStrategy.autoClose]] },
    ],
  };
  return [metric, policy];
}
