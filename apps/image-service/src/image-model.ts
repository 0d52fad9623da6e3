/**
 * The one place the service talks to the image model: @google/genai in Vertex AI mode with
 * Application Default Credentials (on Cloud Run: the metadata server's token for the service's
 * own service account). GENAI_DOCTOR_ENDPOINT redirects every call to a stand-in (the sandbox).
 */
import { GoogleGenAI, Modality } from '@google/genai';
import { nodeHttpFetch } from './http-transport.js';

export interface ImageRequest {
  prompt: string;
  aspectRatio: string;
  signal: AbortSignal;
}

export interface ImageResult {
  mimeType: string;
  /** Base64, as the API sends it. */
  data: string;
  sizeBytes: number;
  text?: string;
}

/** The model answered but sent no image (safety block, text-only answer): not an access failure. */
export class NoImageError extends Error {
  override name = 'NoImageError';
  constructor(
    readonly finishReason: string | undefined,
    readonly blockReason: string | undefined,
  ) {
    super(
      `the model returned no image (finishReason ${finishReason ?? 'none'}, blockReason ${blockReason ?? 'none'})`,
    );
  }
}

export interface ImageModel {
  readonly model: string;
  readonly location: string;
  readonly project: string;
  generate(request: ImageRequest): Promise<ImageResult>;
  /** The cheapest real call on the same access path (same permission, model and location). */
  countTokens(signal: AbortSignal): Promise<number>;
}

export interface GenAiImageModelOptions {
  project: string;
  location: string;
  model: string;
  endpoint?: string;
  /** 'node-http' (default, see http-transport.ts) or the platform's fetch. */
  transport?: 'node-http' | 'fetch';
}

/** Decoded size of a base64 string without decoding it. */
export function base64Size(data: string): number {
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  return Math.floor((data.length * 3) / 4) - padding;
}

export function createGenAiImageModel(options: GenAiImageModelOptions): ImageModel {
  const ai = new GoogleGenAI({
    vertexai: true,
    project: options.project,
    location: options.location,
    // No SDK-level retries (retryOptions unset): the service decides what is retried (only
    // throttling, see retry.ts).
    httpOptions: {
      ...(options.endpoint ? { baseUrl: options.endpoint } : {}),
      ...(options.transport === 'fetch' ? {} : { fetch: nodeHttpFetch }),
    },
    // projectId spares google-auth-library its own project discovery (gcloud, metadata), which
    // costs seconds on the first call; the service has already resolved the project.
    googleAuthOptions: {
      scopes: ['https://www.googleapis.com/auth/cloud-platform'],
      projectId: options.project,
    },
  });
  return {
    model: options.model,
    location: options.location,
    project: options.project,
    async generate({ prompt, aspectRatio, signal }) {
      const response = await ai.models.generateContent({
        model: options.model,
        contents: prompt,
        config: {
          abortSignal: signal,
          responseModalities: [Modality.IMAGE],
          imageConfig: { aspectRatio },
        },
      });
      const candidate = response.candidates?.[0];
      const parts = candidate?.content?.parts ?? [];
      const image = parts.find((p) => p.inlineData?.data);
      if (!image?.inlineData?.data) {
        throw new NoImageError(candidate?.finishReason, response.promptFeedback?.blockReason);
      }
      const text = parts
        .map((p) => (p.thought ? '' : (p.text ?? '')))
        .join('')
        .trim();
      const data = image.inlineData.data;
      return {
        mimeType: image.inlineData.mimeType ?? 'application/octet-stream',
        data,
        sizeBytes: base64Size(data),
        ...(text ? { text } : {}),
      };
    },
    async countTokens(signal) {
      const response = await ai.models.countTokens({
        model: options.model,
        contents: 'readiness probe',
        config: { abortSignal: signal },
      });
      return response.totalTokens ?? 0;
    },
  };
}
