/**
 * What Google's JSON transcoder refuses before a model sees the request: a field the message does
 * not have ("Unknown name ... Cannot find field.") and a value of the wrong JSON type ("Invalid
 * value at 'path' (TYPE_STRING), 123"), each as a 400 with a BadRequest field violation. Only the
 * messages the sandbox reads are described field by field (requests, Content, Part, Blob,
 * FileData); the rest (generation config, tools, safety settings...) are taken as sent.
 */
import { GoogleApiError } from './errors.js';

type Shape =
  | 'string'
  | 'bool'
  | 'any'
  | { message: Record<string, Shape> }
  | { repeated: Shape }
  | { map: Shape };

const CONTENT_FIELDS: Record<string, Shape> = {};
const CONTENT: Shape = { message: CONTENT_FIELDS };
const BLOB: Shape = { message: { mimeType: 'string', data: 'string', displayName: 'string' } };
const FILE_DATA: Shape = { message: { mimeType: 'string', fileUri: 'string', displayName: 'string' } };
const PART: Shape = {
  message: {
    text: 'string',
    inlineData: BLOB,
    fileData: FILE_DATA,
    functionCall: 'any',
    functionResponse: 'any',
    executableCode: 'any',
    codeExecutionResult: 'any',
    videoMetadata: 'any',
    mediaResolution: 'any',
    audioTranscription: 'any',
    thought: 'bool',
    thoughtSignature: 'string',
  },
};
Object.assign(CONTENT_FIELDS, { role: 'string', parts: { repeated: PART } });

const COMMON: Record<string, Shape> = {
  contents: { repeated: CONTENT },
  systemInstruction: CONTENT,
  tools: 'any',
  generationConfig: 'any',
};

/** GenerateContentRequest / CountTokensRequest as Vertex AI and the Gemini API define them. */
export const GENERATE_REQUEST: Shape = {
  message: {
    ...COMMON,
    toolConfig: 'any',
    safetySettings: 'any',
    labels: { map: 'string' },
    cachedContent: 'string',
    modelArmorConfig: 'any',
    // The Gemini API's own extras.
    serviceTier: 'any',
    store: 'bool',
  },
};
export const COUNT_TOKENS_REQUEST: Shape = {
  message: { ...COMMON, instances: 'any', model: 'string', generateContentRequest: GENERATE_REQUEST },
};

function violation(field: string, description: string): GoogleApiError {
  return new GoogleApiError(400, 'INVALID_ARGUMENT', description, [
    {
      '@type': 'type.googleapis.com/google.rpc.BadRequest',
      fieldViolations: [field ? { field, description } : { description }],
    },
  ]);
}

function typeName(shape: Shape): string {
  if (shape === 'string') return 'TYPE_STRING';
  if (shape === 'bool') return 'TYPE_BOOL';
  return 'TYPE_MESSAGE';
}

function shown(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : JSON.stringify(value);
}

/** Throws Google's 400 for the first unknown field or mistyped value in `body`. */
export function checkRequestShape(body: unknown, shape: Shape, path = ''): void {
  if (shape === 'any' || body === null || body === undefined) return;
  const wrongType = () => {
    const description = `Invalid value at '${path}' (${typeName(shape)}), ${shown(body)}`;
    return violation(path, description);
  };
  if (shape === 'string') {
    if (typeof body !== 'string') throw wrongType();
    return;
  }
  if (shape === 'bool') {
    if (typeof body !== 'boolean') throw wrongType();
    return;
  }
  if ('repeated' in shape) {
    // A lone message where a list is expected is read as a one-element list (docs/sandbox.md
    // lists this leniency among the known differences).
    const list = Array.isArray(body) ? body : [body];
    list.forEach((v, i) => {
      checkRequestShape(v, shape.repeated, Array.isArray(body) ? `${path}[${i}]` : path);
    });
    return;
  }
  if (typeof body !== 'object' || Array.isArray(body)) throw wrongType();
  if ('map' in shape) {
    for (const [k, v] of Object.entries(body)) checkRequestShape(v, shape.map, `${path}[${k}]`);
    return;
  }
  for (const [k, v] of Object.entries(body)) {
    const field = shape.message[k];
    if (!field) {
      const where = path ? ` at '${path}'` : '';
      throw violation(path, `Invalid JSON payload received. Unknown name "${k}"${where}: Cannot find field.`);
    }
    checkRequestShape(v, field, path ? `${path}.${k}` : k);
  }
}
