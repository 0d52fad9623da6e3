/**
 * The official Datadog client's configuration, for tests that prove the sandbox's Datadog stand-in with it: site and keys from DD_SITE, DD_API_KEY, DD_APP_KEY as with
 * every Datadog tool; an explicit API base URL goes through the client's own server settings
 * (server index 1 is `{protocol}://{name}`), which is how the tests reach the local stand-in.
 */

import { logger } from '@datadog/datadog-api-client/dist/logger.js';
import {
  type Configuration,
  createConfiguration,
} from '@datadog/datadog-api-client/dist/packages/datadog-api-client-common/configuration.js';

// The client logs every failed request with its stack to the console; genai-doctor reports the
// failure itself in one line, so the client stays quiet unless DEBUG asks for its log.
if (!process.env.DEBUG) logger.setLevel('silent');

/** A client configuration honouring DD_* and an optional explicit API base URL. */
export function datadogConfiguration(url?: string): Configuration {
  if (!url) return createConfiguration();
  const u = new URL(url);
  const configuration = createConfiguration({ serverIndex: 1 });
  configuration.setServerVariables({ protocol: u.protocol.replace(/:$/, ''), name: u.host });
  return configuration;
}
