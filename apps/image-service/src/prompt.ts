/** The model prompt for a request: the user's words plus a short style instruction per image type. */
import type { ImageType } from './schemas.js';

const STYLE: Record<ImageType, string> = {
  illustration: 'Create a clean digital illustration',
  photo: 'Create a photorealistic photograph',
  sketch: 'Create a hand-drawn pencil sketch',
  icon: 'Create a simple flat icon on a plain background',
  diagram: 'Create a clear, labelled diagram',
  painting: 'Create a painting',
  cartoon: 'Create a cartoon drawing',
  '3d_render': 'Create a 3D render',
  pixel_art: 'Create pixel art',
};

export function composePrompt(prompt: string, imageType: ImageType): string {
  return `${STYLE[imageType]} of: ${prompt.trim()}`;
}

/**
 * Characters that draw nothing: whitespace, format characters (zero-width space / joiners, word
 * joiner, BOM, bidi marks, soft hyphen), controls, combining marks on their own, variation
 * selectors, and the blank look-alikes (Braille blank, Hangul fillers).
 */
const INVISIBLE = /[\s\p{Cf}\p{Cc}\p{Z}\p{M}\u2800\u3164\u115f\u1160\uffa0]/gu;

/** True when the prompt has at least one character that draws something. */
export function hasVisibleText(prompt: string): boolean {
  return prompt.replace(INVISIBLE, '').length > 0;
}
