/** Vertex AI publisher models: countTokens (the cheap probe) and generateContent. */
import type { GcpClient } from './client.js';
import type { Endpoints } from './endpoints.js';

export interface ModelTarget {
  project: string;
  location: string;
  model: string;
}

export function modelPath(t: ModelTarget): string {
  return `projects/${t.project}/locations/${t.location}/publishers/google/models/${t.model}`;
}

export function modelUrl(endpoints: Endpoints, t: ModelTarget, method: string): string {
  return endpoints.url('aiplatform', `/v1/${modelPath(t)}:${method}`, t.location);
}

/** What `publishers.models.get` returns (the fields the check reads). */
export interface PublisherModel {
  name?: string;
  versionId?: string;
  launchStage?: string;
  versionState?: string;
}

/**
 * `GET https://{location}-aiplatform.googleapis.com/v1/publishers/google/models/{model}`: asks the
 * API itself whether the model exists at that location's endpoint, so the model table is not the
 * only truth.
 */
export function getPublisherModel(
  client: GcpClient,
  location: string,
  model: string,
): Promise<PublisherModel> {
  return client.request<PublisherModel>({
    method: 'GET',
    url: client.endpoints.url(
      'aiplatform',
      `/v1/publishers/google/models/${encodeURIComponent(model)}`,
      location,
    ),
  });
}

export const PROBE_CONTENTS = [{ role: 'user', parts: [{ text: 'ping' }] }];

export interface CountTokensResponse {
  totalTokens?: number;
  totalBillableCharacters?: number;
}

export function countTokens(client: GcpClient, t: ModelTarget): Promise<CountTokensResponse> {
  return client.request<CountTokensResponse>({
    method: 'POST',
    url: modelUrl(client.endpoints, t, 'countTokens'),
    body: { contents: PROBE_CONTENTS },
  });
}

export interface Part {
  text?: string;
  inlineData?: { mimeType: string; data: string };
}

export interface GenerateContentResponse {
  candidates?: Array<{ content?: { role?: string; parts?: Part[] }; finishReason?: string }>;
  usageMetadata?: Record<string, number>;
  modelVersion?: string;
}

export function generateContent(
  client: GcpClient,
  t: ModelTarget,
  prompt: string,
  opts: { image?: boolean } = {},
): Promise<GenerateContentResponse> {
  return client.request<GenerateContentResponse>({
    method: 'POST',
    url: modelUrl(client.endpoints, t, 'generateContent'),
    body: {
      contents: [{ role: 'user', parts: [{ text: prompt }] }],
      ...(opts.image ? { generationConfig: { responseModalities: ['TEXT', 'IMAGE'] } } : {}),
    },
  });
}

/** Image models answer with inlineData parts; the name says whether a model makes images. */
export function isImageModel(model: string): boolean {
  return /image/.test(model);
}
