/**
 * In-memory record of what each session generated: metadata only (never the image bytes), bounded
 * by sessions (least recently used evicted first) and by items per session (oldest dropped), so a
 * long-running instance cannot grow without bound.
 */
import type { SessionItem } from './schemas.js';

interface Entry {
  items: SessionItem[];
  dropped: number;
}

export interface SessionLimits {
  maxSessions: number;
  maxItemsPerSession: number;
}

/** Stored prompts are cut to this length: enough to recognise a generation, bounded in memory. */
export const STORED_PROMPT_CHARS = 200;

export class SessionStore {
  // A Map iterates in insertion order; re-inserting on every touch makes the first key the LRU.
  readonly #sessions = new Map<string, Entry>();

  constructor(readonly limits: SessionLimits) {}

  add(sessionId: string, item: SessionItem): void {
    const entry = this.#sessions.get(sessionId) ?? { items: [], dropped: 0 };
    this.#sessions.delete(sessionId);
    entry.items.push({ ...item, prompt: item.prompt.slice(0, STORED_PROMPT_CHARS) });
    const excess = entry.items.length - this.limits.maxItemsPerSession;
    if (excess > 0) {
      entry.items.splice(0, excess);
      entry.dropped += excess;
    }
    this.#sessions.set(sessionId, entry);
    while (this.#sessions.size > this.limits.maxSessions) {
      const oldest = this.#sessions.keys().next().value as string;
      this.#sessions.delete(oldest);
    }
  }

  get(sessionId: string): { items: SessionItem[]; dropped: number } | undefined {
    const entry = this.#sessions.get(sessionId);
    if (!entry) return undefined;
    this.#sessions.delete(sessionId);
    this.#sessions.set(sessionId, entry);
    return { items: [...entry.items], dropped: entry.dropped };
  }

  get size(): number {
    return this.#sessions.size;
  }
}
