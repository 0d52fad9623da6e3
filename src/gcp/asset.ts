/**
 * Cloud Asset Inventory v1: searchAllResources and searchAllIamPolicies as streams of pages (a
 * page is handed on and dropped, so an organization of any size is read in constant memory), and
 * Policy Analyzer's analyzeIamPolicy, synchronously or as the long-running
 * analyzeIamPolicyLongrunning that writes its result to a Cloud Storage object.
 * https://cloud.google.com/asset-inventory/docs/reference/rest
 */
import { withBackoff } from './backoff.js';
import type { GcpClient } from './client.js';
import { JsonArrayStream } from './json-stream.js';
import { type Operation, waitOperation } from './operations.js';
import { pages } from './pages.js';
import { streamGcsObject } from './storage.js';

export interface VersionedResource {
  version?: string;
  resource?: Record<string, unknown>;
}

/** A ResourceSearchResult (the fields scan reads). */
export interface ResourceSearchResult {
  name: string;
  assetType: string;
  /** `projects/{number}`. */
  project?: string;
  folders?: string[];
  organization?: string;
  displayName?: string;
  location?: string;
  labels?: Record<string, string>;
  state?: string;
  parentFullResourceName?: string;
  versionedResources?: VersionedResource[];
}

export interface IamPolicySearchResult {
  resource: string;
  assetType?: string;
  project?: string;
  folders?: string[];
  organization?: string;
  policy?: { version?: number; bindings?: Array<{ role: string; members?: string[]; condition?: unknown }> };
}

export interface IamPolicyAnalysisResult {
  attachedResourceFullName: string;
  iamBinding?: { role: string; members?: string[]; condition?: unknown };
  accessControlLists?: Array<{
    resources?: Array<{ fullResourceName?: string }>;
    accesses?: Array<{ role?: string; permission?: string }>;
    conditionEvaluation?: { evaluationValue?: string };
  }>;
  identityList?: { identities?: Array<{ name?: string }> };
  fullyExplored?: boolean;
}

export interface AnalyzeIamPolicyResponse {
  mainAnalysis?: { analysisResults?: IamPolicyAnalysisResult[]; fullyExplored?: boolean };
  fullyExplored?: boolean;
}

export interface AnalysisQuery {
  accessSelector?: { roles?: string[]; permissions?: string[] };
  identitySelector?: { identity: string };
  resourceSelector?: { fullResourceName: string };
  options?: { expandGroups?: boolean; expandRoles?: boolean; expandResources?: boolean };
}

const v1 = (client: GcpClient) => client.url('cloudasset', '/v1');

export function searchAllResources(
  client: GcpClient,
  scope: string,
  req: { assetTypes: string[]; query?: string; readMask?: string },
): AsyncGenerator<ResourceSearchResult[]> {
  return pages(async (pageToken) => {
    const url = new URL(`${v1(client)}/${scope}:searchAllResources`);
    for (const t of req.assetTypes) url.searchParams.append('assetTypes', t);
    const res = await client.request<{ results?: ResourceSearchResult[]; nextPageToken?: string }>({
      url: url.toString(),
      params: { query: req.query, readMask: req.readMask, pageSize: 500, pageToken },
    });
    return { items: res.results, nextPageToken: res.nextPageToken };
  });
}

export function searchAllIamPolicies(
  client: GcpClient,
  scope: string,
  req: { assetTypes?: string[]; query?: string } = {},
): AsyncGenerator<IamPolicySearchResult[]> {
  return pages(async (pageToken) => {
    const url = new URL(`${v1(client)}/${scope}:searchAllIamPolicies`);
    for (const t of req.assetTypes ?? []) url.searchParams.append('assetTypes', t);
    const res = await client.request<{ results?: IamPolicySearchResult[]; nextPageToken?: string }>({
      url: url.toString(),
      params: { query: req.query, pageSize: 500, pageToken },
    });
    return { items: res.results, nextPageToken: res.nextPageToken };
  });
}

/** The GET form of analyzeIamPolicy: the query as dotted `analysisQuery.*` parameters. */
export function analyzeIamPolicy(
  client: GcpClient,
  scope: string,
  q: AnalysisQuery,
): Promise<AnalyzeIamPolicyResponse> {
  const url = new URL(`${v1(client)}/${scope}:analyzeIamPolicy`);
  const add = (k: string, v: string | boolean | undefined) => {
    if (v !== undefined) url.searchParams.append(`analysisQuery.${k}`, String(v));
  };
  for (const p of q.accessSelector?.permissions ?? []) add('accessSelector.permissions', p);
  for (const r of q.accessSelector?.roles ?? []) add('accessSelector.roles', r);
  add('identitySelector.identity', q.identitySelector?.identity);
  add('resourceSelector.fullResourceName', q.resourceSelector?.fullResourceName);
  add('options.expandGroups', q.options?.expandGroups);
  add('options.expandRoles', q.options?.expandRoles);
  add('options.expandResources', q.options?.expandResources);
  // Not retried on 5xx by the client: a DEADLINE_EXCEEDED (504) would only recur, each time after
  // the whole deadline; the caller turns it into advice. 429 / 503 still get the backoff.
  return withBackoff(() => client.request<AnalyzeIamPolicyResponse>({ url: url.toString(), retry: false }));
}

/**
 * analyzeIamPolicyLongrunning, for scopes too big for the synchronous call (whose answer must come
 * back within one RPC deadline, else DEADLINE_EXCEEDED). Request: POST
 * v1/{analysisQuery.scope}:analyzeIamPolicyLongrunning with `analysisQuery` and `outputConfig`
 * (`gcsDestination.uri` here; a BigQuery destination is the other choice). Answer: a
 * google.longrunning.Operation, polled with GET v1/{name} ("we recommend intervals of at least 2
 * seconds with exponential backoff"); once done, "for Cloud Storage destination, the output format
 * is the JSON format that represents a AnalyzeIamPolicyResponse"
 * (https://cloud.google.com/asset-inventory/docs/reference/rest/v1/TopLevel/analyzeIamPolicyLongrunning).
 * That object is read back range by range and each analysis result handed to `onResult` as it is
 * parsed: the answer of a big organization is never held whole.
 */
export async function analyzeIamPolicyLongrunning(
  client: GcpClient,
  scope: string,
  q: AnalysisQuery,
  gcsUri: string,
  onResult: (r: IamPolicyAnalysisResult) => void,
  opts: { timeoutMs?: number; intervalMs?: number; beforeRead?: Promise<unknown> } = {},
): Promise<{ fullyExplored: boolean }> {
  const op = await withBackoff(() =>
    client.request<Operation>({
      method: 'POST',
      url: `${v1(client)}/${scope}:analyzeIamPolicyLongrunning`,
      body: { analysisQuery: { scope, ...q }, outputConfig: { gcsDestination: { uri: gcsUri } } },
    }),
  );
  // The first poll comes sooner than Google's 2 s (small scopes finish fast); later ones back off
  // exponentially to 5 s, and each rides out 429 / 503 (waitOperation).
  await waitOperation(client, v1(client), op, {
    timeoutMs: opts.timeoutMs ?? 3_600_000,
    intervalMs: opts.intervalMs ?? 200,
  });
  // The caller may need other reads done before it can tell which results to keep.
  await opts.beforeRead;
  let fullyExplored = true;
  const parser = new JsonArrayStream(['mainAnalysis', 'analysisResults'], {
    onElement: (r) => onResult(r as IamPolicyAnalysisResult),
    onScalar: (path, value) => {
      const at = path.join('.');
      if ((at === 'fullyExplored' || at === 'mainAnalysis.fullyExplored') && value === false)
        fullyExplored = false;
    },
  });
  for await (const text of streamGcsObject(client, gcsUri)) parser.write(text);
  parser.end();
  return { fullyExplored };
}
