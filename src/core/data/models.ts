/**
 * Where Google's Gemini / Vertex AI publisher models are served, kept as data so the diagnosis,
 * the plans, the sandbox and the image service all answer "is model M served at location L?"
 * the same way. Sources: Vertex AI "Generative AI locations" (global endpoint list), "Model
 * versions and lifecycle" (retired models) and the Gemini API deprecations page. Retirement dates
 * are the published shutdown dates where Google names one; `undefined` where it only says
 * "earliest" or nothing.
 */

export type ModelStatus = 'ga' | 'preview' | 'experimental' | 'retired';

export type ModelFamily =
  | 'gemini-1.0'
  | 'gemini-1.5'
  | 'gemini-2.0'
  | 'gemini-2.5'
  | 'gemini-3'
  | 'gemini-3.1'
  | 'palm2'
  | 'embedding';

export interface ModelInfo {
  /** Canonical id as it appears in `publishers/google/models/{id}`. */
  id: string;
  /** The Google page the row was read from. */
  source: string;
  /** ISO date the row was last checked against `source`. */
  asOf: string;
  family: ModelFamily;
  /** Other names that resolve to this entry (version pins, legacy aliases, `@00N` suffixes). */
  aliases: string[];
  status: ModelStatus;
  /** ISO date of the shutdown, where Google published one. */
  retiredOn?: string;
  /**
   * Vertex AI locations that serve the model. `['global']` means the global endpoint only; an
   * empty list means the model is not offered on Vertex AI at all.
   */
  vertexLocations: readonly string[];
  /** Offered by the Gemini Developer API (generativelanguage.googleapis.com). */
  geminiApi: boolean;
  /** Produces images (inlineData parts). */
  imageOutput: boolean;
  /** A restricted preview that needs an allowlist / terms acceptance for the project. */
  requiresAllowlist: boolean;
  /** What to use instead, when the model is retired or preview-only. */
  replacement?: string;
}

/** Regions serving the GA Gemini 2.x text models (plus `global`); the common set in Google's table. */
const GEMINI_GA_REGIONS: readonly string[] = [
  'global',
  'us-central1',
  'us-east1',
  'us-east4',
  'us-east5',
  'us-south1',
  'us-west1',
  'us-west4',
  'northamerica-northeast1',
  'southamerica-east1',
  'europe-central2',
  'europe-north1',
  'europe-southwest1',
  'europe-west1',
  'europe-west2',
  'europe-west3',
  'europe-west4',
  'europe-west8',
  'europe-west9',
  'asia-east1',
  'asia-east2',
  'asia-northeast1',
  'asia-northeast3',
  'asia-south1',
  'asia-southeast1',
  'australia-southeast1',
  'me-central1',
];

/** Embedding / legacy models are regional; they were never on the global endpoint. */
const EMBEDDING_REGIONS: readonly string[] = GEMINI_GA_REGIONS.filter((l) => l !== 'global');

const GLOBAL_ONLY: readonly string[] = ['global'];
const NOWHERE: readonly string[] = [];

/** Where the rows come from. */
const SOURCE = {
  locations: 'https://cloud.google.com/vertex-ai/generative-ai/docs/learn/locations',
  deprecations: 'https://cloud.google.com/vertex-ai/generative-ai/docs/deprecations',
  palm: 'https://cloud.google.com/vertex-ai/generative-ai/docs/deprecations/palm',
  versions: 'https://cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versions',
  embeddings: 'https://cloud.google.com/vertex-ai/generative-ai/docs/embeddings/get-text-embeddings',
  geminiApiModels: 'https://ai.google.dev/gemini-api/docs/models',
} as const;

/** Rows checked against their source on this date (Gemini 3.x global-only, PaLM / 1.0 shutdowns). */
const CHECKED = '2026-12-05';
/** Rows as written when the table was first assembled, not re-checked since. */
const WRITTEN = '2026-11-23';

function model(
  m: Omit<ModelInfo, 'aliases' | 'requiresAllowlist' | 'imageOutput' | 'source' | 'asOf'> &
    Partial<ModelInfo>,
): ModelInfo {
  return {
    aliases: [],
    requiresAllowlist: false,
    imageOutput: false,
    source: m.status === 'retired' ? SOURCE.versions : SOURCE.locations,
    asOf: WRITTEN,
    ...m,
  };
}

export const MODELS: readonly ModelInfo[] = [
  // Gemini 1.0 / 1.5: shut down on Vertex AI and the Gemini API.
  model({
    id: 'gemini-1.0-pro',
    source: SOURCE.deprecations,
    asOf: CHECKED,
    family: 'gemini-1.0',
    aliases: ['gemini-pro', 'gemini-1.0-pro-001', 'gemini-1.0-pro-002', 'gemini-1.0-pro-latest'],
    status: 'retired',
    retiredOn: '2025-04-09',
    vertexLocations: NOWHERE,
    geminiApi: false,
    replacement: 'gemini-2.5-flash',
  }),
  model({
    id: 'gemini-1.0-pro-vision',
    source: SOURCE.deprecations,
    asOf: CHECKED,
    family: 'gemini-1.0',
    aliases: ['gemini-pro-vision', 'gemini-1.0-pro-vision-001', 'gemini-1.0-pro-vision-latest'],
    status: 'retired',
    retiredOn: '2025-04-09',
    vertexLocations: NOWHERE,
    geminiApi: false,
    replacement: 'gemini-2.5-flash',
  }),
  model({
    id: 'gemini-1.5-pro',
    family: 'gemini-1.5',
    aliases: [
      'gemini-1.5-pro-001',
      'gemini-1.5-pro-002',
      'gemini-1.5-pro-latest',
      'gemini-1.5-pro-preview-0409',
    ],
    status: 'retired',
    retiredOn: '2025-09-24',
    vertexLocations: NOWHERE,
    geminiApi: false,
    replacement: 'gemini-2.5-pro',
  }),
  model({
    id: 'gemini-1.5-flash',
    family: 'gemini-1.5',
    aliases: [
      'gemini-1.5-flash-001',
      'gemini-1.5-flash-002',
      'gemini-1.5-flash-latest',
      'gemini-1.5-flash-8b',
      'gemini-1.5-flash-8b-001',
      'gemini-1.5-flash-8b-latest',
      'gemini-1.5-flash-preview-0514',
    ],
    status: 'retired',
    retiredOn: '2025-09-24',
    vertexLocations: NOWHERE,
    geminiApi: false,
    replacement: 'gemini-2.5-flash',
  }),
  // Gemini 2.0.
  model({
    id: 'gemini-2.0-flash',
    family: 'gemini-2.0',
    aliases: ['gemini-2.0-flash-001'],
    status: 'ga',
    vertexLocations: GEMINI_GA_REGIONS,
    geminiApi: true,
    replacement: 'gemini-2.5-flash',
  }),
  model({
    id: 'gemini-2.0-flash-lite',
    family: 'gemini-2.0',
    aliases: ['gemini-2.0-flash-lite-001'],
    status: 'ga',
    vertexLocations: GEMINI_GA_REGIONS,
    geminiApi: true,
    replacement: 'gemini-2.5-flash-lite',
  }),
  model({
    id: 'gemini-2.0-flash-exp',
    family: 'gemini-2.0',
    aliases: [
      'gemini-2.0-flash-thinking-exp',
      'gemini-2.0-flash-thinking-exp-01-21',
      'gemini-2.0-pro-exp-02-05',
    ],
    status: 'experimental',
    vertexLocations: ['us-central1'],
    geminiApi: true,
    replacement: 'gemini-2.0-flash',
  }),
  model({
    id: 'gemini-2.0-flash-preview-image-generation',
    family: 'gemini-2.0',
    aliases: ['gemini-2.0-flash-exp-image-generation'],
    status: 'retired',
    vertexLocations: NOWHERE,
    geminiApi: false,
    imageOutput: true,
    replacement: 'gemini-2.5-flash-image',
  }),
  // Gemini 2.5 GA and its previews / experiments.
  model({
    id: 'gemini-2.5-pro',
    family: 'gemini-2.5',
    status: 'ga',
    vertexLocations: GEMINI_GA_REGIONS,
    geminiApi: true,
  }),
  model({
    id: 'gemini-2.5-flash',
    family: 'gemini-2.5',
    status: 'ga',
    vertexLocations: GEMINI_GA_REGIONS,
    geminiApi: true,
  }),
  model({
    id: 'gemini-2.5-flash-lite',
    family: 'gemini-2.5',
    status: 'ga',
    vertexLocations: GEMINI_GA_REGIONS,
    geminiApi: true,
  }),
  model({
    id: 'gemini-2.5-pro-exp-03-25',
    family: 'gemini-2.5',
    aliases: ['gemini-2.5-pro-exp'],
    status: 'retired',
    vertexLocations: NOWHERE,
    geminiApi: false,
    replacement: 'gemini-2.5-pro',
  }),
  model({
    id: 'gemini-2.5-pro-preview-03-25',
    family: 'gemini-2.5',
    aliases: ['gemini-2.5-pro-preview-05-06', 'gemini-2.5-pro-preview-06-05'],
    status: 'retired',
    vertexLocations: NOWHERE,
    geminiApi: false,
    replacement: 'gemini-2.5-pro',
  }),
  model({
    id: 'gemini-2.5-flash-preview-04-17',
    family: 'gemini-2.5',
    aliases: ['gemini-2.5-flash-preview-05-20'],
    status: 'retired',
    vertexLocations: NOWHERE,
    geminiApi: false,
    replacement: 'gemini-2.5-flash',
  }),
  model({
    id: 'gemini-2.5-flash-lite-preview-06-17',
    family: 'gemini-2.5',
    status: 'preview',
    vertexLocations: GLOBAL_ONLY,
    geminiApi: true,
    replacement: 'gemini-2.5-flash-lite',
  }),
  model({
    id: 'gemini-2.5-flash-preview-09-2025',
    family: 'gemini-2.5',
    aliases: ['gemini-flash-latest'],
    status: 'preview',
    vertexLocations: GLOBAL_ONLY,
    geminiApi: true,
    replacement: 'gemini-2.5-flash',
  }),
  model({
    id: 'gemini-2.5-flash-lite-preview-09-2025',
    family: 'gemini-2.5',
    aliases: ['gemini-flash-lite-latest'],
    status: 'preview',
    vertexLocations: GLOBAL_ONLY,
    geminiApi: true,
    replacement: 'gemini-2.5-flash-lite',
  }),
  model({
    id: 'gemini-2.5-flash-image',
    family: 'gemini-2.5',
    status: 'ga',
    vertexLocations: GEMINI_GA_REGIONS,
    geminiApi: true,
    imageOutput: true,
  }),
  model({
    id: 'gemini-2.5-flash-image-preview',
    family: 'gemini-2.5',
    status: 'preview',
    vertexLocations: GLOBAL_ONLY,
    geminiApi: true,
    imageOutput: true,
    replacement: 'gemini-2.5-flash-image',
  }),
  // Gemini 3 / 3.1 previews: the global endpoint only.
  model({
    id: 'gemini-3-pro-preview',
    source: SOURCE.locations,
    asOf: CHECKED,
    family: 'gemini-3',
    aliases: ['gemini-3-pro'],
    status: 'preview',
    vertexLocations: GLOBAL_ONLY,
    geminiApi: true,
  }),
  model({
    id: 'gemini-3-flash-preview',
    source: SOURCE.locations,
    asOf: CHECKED,
    family: 'gemini-3',
    aliases: ['gemini-3-flash'],
    status: 'preview',
    vertexLocations: GLOBAL_ONLY,
    geminiApi: true,
  }),
  model({
    id: 'gemini-3-pro-image-preview',
    source: SOURCE.locations,
    asOf: CHECKED,
    family: 'gemini-3',
    aliases: ['gemini-3-pro-image'],
    status: 'preview',
    vertexLocations: GLOBAL_ONLY,
    geminiApi: true,
    imageOutput: true,
  }),
  model({
    id: 'gemini-3.1-pro-preview',
    source: SOURCE.locations,
    asOf: CHECKED,
    family: 'gemini-3.1',
    status: 'preview',
    vertexLocations: GLOBAL_ONLY,
    geminiApi: true,
  }),
  model({
    id: 'gemini-3.1-flash-lite-preview',
    source: SOURCE.locations,
    asOf: CHECKED,
    family: 'gemini-3.1',
    status: 'preview',
    vertexLocations: GLOBAL_ONLY,
    geminiApi: true,
  }),
  model({
    id: 'gemini-3.1-flash-image-preview',
    source: SOURCE.locations,
    asOf: CHECKED,
    family: 'gemini-3.1',
    status: 'preview',
    vertexLocations: GLOBAL_ONLY,
    geminiApi: true,
    imageOutput: true,
  }),
  // PaLM 2 and the first embedding models: shut down.
  model({
    id: 'text-bison',
    source: SOURCE.palm,
    asOf: CHECKED,
    family: 'palm2',
    aliases: ['text-bison@001', 'text-bison@002', 'text-bison-32k', 'text-unicorn', 'text-unicorn@001'],
    status: 'retired',
    retiredOn: '2025-04-09',
    vertexLocations: NOWHERE,
    geminiApi: false,
    replacement: 'gemini-2.5-flash',
  }),
  model({
    id: 'chat-bison',
    source: SOURCE.palm,
    asOf: CHECKED,
    family: 'palm2',
    aliases: [
      'chat-bison@001',
      'chat-bison@002',
      'chat-bison-32k',
      'codechat-bison',
      'code-bison',
      'code-bison@002',
    ],
    status: 'retired',
    retiredOn: '2025-04-09',
    vertexLocations: NOWHERE,
    geminiApi: false,
    replacement: 'gemini-2.5-flash',
  }),
  model({
    id: 'textembedding-gecko',
    source: SOURCE.palm,
    asOf: CHECKED,
    family: 'embedding',
    aliases: [
      'textembedding-gecko@001',
      'textembedding-gecko@002',
      'textembedding-gecko@003',
      'textembedding-gecko@latest',
      'textembedding-gecko-multilingual',
      'textembedding-gecko-multilingual@001',
    ],
    status: 'retired',
    retiredOn: '2025-05-24',
    vertexLocations: NOWHERE,
    geminiApi: false,
    replacement: 'gemini-embedding-001',
  }),
  model({
    id: 'embedding-001',
    source: SOURCE.embeddings,
    asOf: WRITTEN,
    family: 'embedding',
    aliases: ['embedding-gecko-001'],
    status: 'retired',
    vertexLocations: NOWHERE,
    geminiApi: false,
    replacement: 'gemini-embedding-001',
  }),
  model({
    id: 'text-embedding-004',
    source: SOURCE.embeddings,
    asOf: WRITTEN,
    family: 'embedding',
    status: 'ga',
    vertexLocations: EMBEDDING_REGIONS,
    geminiApi: true,
    replacement: 'gemini-embedding-001',
  }),
  model({
    id: 'text-embedding-005',
    source: SOURCE.embeddings,
    asOf: WRITTEN,
    family: 'embedding',
    status: 'ga',
    vertexLocations: EMBEDDING_REGIONS,
    geminiApi: false,
  }),
  model({
    id: 'text-multilingual-embedding-002',
    source: SOURCE.embeddings,
    asOf: WRITTEN,
    family: 'embedding',
    status: 'ga',
    vertexLocations: EMBEDDING_REGIONS,
    geminiApi: false,
  }),
  model({
    id: 'gemini-embedding-001',
    source: SOURCE.embeddings,
    asOf: WRITTEN,
    family: 'embedding',
    status: 'ga',
    vertexLocations: ['global', ...EMBEDDING_REGIONS],
    geminiApi: true,
  }),
];

const BY_NAME: ReadonlyMap<string, ModelInfo> = new Map(
  MODELS.flatMap((m) => [m.id, ...m.aliases].map((name) => [name, m] as const)),
);

/**
 * Reduces what users write to a table key: `models/x`, `publishers/google/models/x`, a full
 * resource name, upper case, surrounding quotes, a `:generateContent` suffix, and the short
 * forms SDK wrappers accept (`3-flash-preview`, `2.5-pro`).
 */
export function normalizeModelId(raw: string): string {
  let id = raw.trim().toLowerCase();
  const slash = id.lastIndexOf('/models/');
  if (slash >= 0) id = id.slice(slash + 8);
  else if (id.startsWith('models/')) id = id.slice(7);
  const colon = id.indexOf(':');
  if (colon >= 0) id = id.slice(0, colon);
  id = id.replace(/^[`'"]+|[`'".]+$/g, '');
  if (/^\d+(\.\d+)?-/.test(id)) id = `gemini-${id}`;
  return id;
}

/** The table entry for a model id or alias, or undefined when the table does not know it. */
export function modelInfo(raw: string): ModelInfo | undefined {
  const id = normalizeModelId(raw);
  const exact = BY_NAME.get(id);
  if (exact) return exact;
  // Pinned stable versions (`-001`), `@001` suffixes and `-latest` resolve to their base model.
  const base = id.replace(/@\d{3}$|@latest$|-\d{3}$|-latest$/, '');
  return base !== id ? BY_NAME.get(base) : undefined;
}

export type ServedVerdict = 'served' | 'not_served_here' | 'retired' | 'unknown_model';

export interface ServedAt {
  verdict: ServedVerdict;
  model?: ModelInfo;
  location: string;
  /** One sentence a user can read. */
  why: string;
  /** Where the model is served instead, when the verdict is `not_served_here`. */
  servedAt?: readonly string[];
  /** The table row's source page and the date it was checked (absent for unknown models). */
  source?: string;
  asOf?: string;
}

/**
 * Whether Vertex AI serves `raw` at `location`. `location` is a Vertex location (`global`,
 * `us-central1`) or `gemini-api` for the Gemini Developer API.
 */
export function servedAt(raw: string, location: string): ServedAt {
  const info = modelInfo(raw);
  const loc = location.trim().toLowerCase();
  if (!info) {
    return {
      verdict: 'unknown_model',
      location: loc,
      why: `\`${normalizeModelId(raw)}\` is not in genai-doctor's model table (it may be new, tuned, or misspelled).`,
    };
  }
  if (info.status === 'retired') {
    return {
      verdict: 'retired',
      model: info,
      source: info.source,
      asOf: info.asOf,
      location: loc,
      why:
        `\`${info.id}\` has been shut down${info.retiredOn ? ` (since ${info.retiredOn})` : ''}` +
        (info.replacement ? `; use \`${info.replacement}\` instead.` : '.'),
    };
  }
  if (loc === 'gemini-api') {
    return info.geminiApi
      ? {
          verdict: 'served',
          model: info,
          source: info.source,
          asOf: info.asOf,
          location: loc,
          why: `\`${info.id}\` is offered by the Gemini API.`,
        }
      : {
          verdict: 'not_served_here',
          model: info,
          source: info.source,
          asOf: info.asOf,
          location: loc,
          why: `\`${info.id}\` is a Vertex AI model; the Gemini API does not offer it.`,
          servedAt: info.vertexLocations,
        };
  }
  if (info.vertexLocations.includes(loc)) {
    return {
      verdict: 'served',
      model: info,
      source: info.source,
      asOf: info.asOf,
      location: loc,
      why: `\`${info.id}\` is served at \`${loc}\`.`,
    };
  }
  const where = info.vertexLocations;
  return {
    verdict: 'not_served_here',
    model: info,
    source: info.source,
    asOf: info.asOf,
    location: loc,
    servedAt: where,
    why:
      where.length === 0
        ? `\`${info.id}\` is not offered on Vertex AI.`
        : where.length === 1 && where[0] === 'global'
          ? `\`${info.id}\` is served only at the \`global\` location, not at \`${loc}\`.`
          : `\`${info.id}\` is not served at \`${loc}\` (served at: ${where.join(', ')}).`,
  };
}
