/**
 * Calls made with an API key instead of OAuth (the Gemini Developer API, or a workload that sends
 * a key to Vertex AI by mistake). The key travels in `x-goog-api-key`, never in the URL, so it
 * cannot end up in an error message or a log line.
 */
import type { Endpoints } from './endpoints.js';
import { toGoogleApiError } from './errors.js';

export async function postWithApiKey<T>(
  url: string,
  apiKey: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<T> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json', 'x-goog-api-key': apiKey },
      body: JSON.stringify(body),
    });
  } catch (e) {
    throw toGoogleApiError(0, '', 'POST', url, (e as Error).message);
  }
  const text = await res.text();
  if (!res.ok) throw toGoogleApiError(res.status, text, 'POST', url, `HTTP ${res.status}`);
  return JSON.parse(text) as T;
}

/** `https://generativelanguage.googleapis.com/v1beta/models/{model}:{method}`. */
export function geminiApiUrl(
  endpoints: Endpoints,
  model: string,
  method: 'countTokens' | 'generateContent',
): string {
  return endpoints.url('generativelanguage', `/v1beta/models/${model}:${method}`);
}
