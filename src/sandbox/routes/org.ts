/** The organization-wide APIs `scan` reads (and Cloud Monitoring, for `scan --usage`), registered together so server.ts lists them once. */
import type { Route } from '../router.js';
import { apiKeysRoutes } from './apikeys.js';
import { assetRoutes } from './asset.js';
import { billingAccountRoutes } from './billing-accounts.js';
import { monitoringRoutes } from './monitoring.js';
import { serviceUsageBatchRoutes } from './serviceusage-batch.js';
import { storageRoutes } from './storage.js';

export function orgRoutes(operationDelayMs: () => number): Route[] {
  return [
    ...assetRoutes(operationDelayMs),
    ...serviceUsageBatchRoutes(),
    ...apiKeysRoutes(),
    ...billingAccountRoutes(),
    ...storageRoutes(),
    ...monitoringRoutes(),
  ];
}
