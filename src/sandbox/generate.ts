/**
 * What a model "answers" in the sandbox: GenerateContentResponse / CountTokensResponse bodies in
 * the shape Vertex AI and the Gemini API send. Text models echo a short deterministic reply; image
 * models return a text part plus a real PNG as `inlineData`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { dimensionsFor, gradientPng } from './png.js';
import type { ScenarioModel } from './scenario.js';

interface Part {
  text?: string;
  inlineData?: { mimeType: string; data: string };
}

interface Content {
  role?: string;
  parts?: Part[];
}

export interface GenerateRequest {
  contents?: Content[] | Content;
  systemInstruction?: Content;
  generationConfig?: {
    responseModalities?: string[];
    imageConfig?: { aspectRatio?: string };
  };
}

export function promptText(req: GenerateRequest): string {
  const contents = Array.isArray(req.contents) ? req.contents : req.contents ? [req.contents] : [];
  return contents
    .flatMap((c) => c.parts ?? [])
    .map((p) => p.text ?? '')
    .join('\n');
}

/** A token count close to what Gemini's tokenizer gives for English (about 4 characters a token). */
export function countTokens(text: string): number {
  return text.trim() === '' ? 0 : Math.max(1, Math.ceil(text.length / 4));
}

export function generateResponse(model: ScenarioModel, req: GenerateRequest, api: 'vertex' | 'gemini') {
  const prompt = promptText(req);
  const promptTokens = countTokens(prompt);
  const parts: Part[] = [];
  let imageTokens = 0;
  if (model.kind === 'image') {
    const { width, height } = dimensionsFor(req.generationConfig?.imageConfig?.aspectRatio);
    const seed = createHash('sha256').update(prompt).digest()[0] ?? 0;
    parts.push({ text: `Here is the image you asked for: ${prompt.slice(0, 80)}` });
    parts.push({
      inlineData: { mimeType: 'image/png', data: gradientPng(width, height, seed).toString('base64') },
    });
    imageTokens = 1290;
  } else {
    parts.push({ text: `Sandbox reply from ${model.id}: ${prompt.slice(0, 200) || '(empty prompt)'}` });
  }
  const textTokens = countTokens(parts[0]?.text ?? '');
  const candidatesTokens = textTokens + imageTokens;
  const candidatesDetails = [{ modality: 'TEXT', tokenCount: textTokens }];
  if (imageTokens > 0) candidatesDetails.push({ modality: 'IMAGE', tokenCount: imageTokens });
  const usageMetadata: Record<string, unknown> = {
    promptTokenCount: promptTokens,
    candidatesTokenCount: candidatesTokens,
    totalTokenCount: promptTokens + candidatesTokens,
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokens }],
    candidatesTokensDetails: candidatesDetails,
  };
  if (api === 'vertex') usageMetadata.trafficType = 'ON_DEMAND';
  const body: Record<string, unknown> = {
    candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
    usageMetadata,
    modelVersion: model.id,
  };
  if (api === 'vertex') body.createTime = new Date().toISOString();
  body.responseId = randomBytes(12).toString('base64url');
  return body;
}

export function countTokensResponse(req: GenerateRequest, api: 'vertex' | 'gemini') {
  const text = promptText(req);
  const totalTokens = countTokens(text);
  const out: Record<string, unknown> = { totalTokens };
  if (api === 'vertex') out.totalBillableCharacters = text.replace(/\s/g, '').length;
  out.promptTokensDetails = [{ modality: 'TEXT', tokenCount: totalTokens }];
  return out;
}
