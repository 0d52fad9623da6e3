/**
 * Collects the facts of one error. The first writer of a field wins, so callers run the most
 * trustworthy sources first (structured details, then resource names, then message phrases).
 * Every scalar fact gets a span into the ORIGINAL text: exact when the source text is the
 * original, otherwise the first place the value occurs in it.
 */
import type {
  ErrorFacts,
  FactName,
  HelpLink,
  InputShape,
  QuotaFacts,
  Signal,
  SignalId,
  Span,
  Violation,
} from '../model.js';

type Scalar = string | number;

export class FactsBuilder {
  /**
   * @param original the text the user gave (spans point into it)
   * @param base offset of the scanned text in the original, or -1 when the scanned text is a
   *   decoded copy (escaped JSON, a parsed string) and spans must be found by search.
   * @param facts the record being filled (shared by views of the same error)
   */
  constructor(
    readonly original: string,
    readonly base: number = 0,
    readonly facts: ErrorFacts = {},
  ) {}

  /** The same error, read from a decoded / nested piece of text (spans found by search). */
  decoded(): FactsBuilder {
    return this.base === -1 ? this : new FactsBuilder(this.original, -1, this.facts);
  }

  has(name: FactName): boolean {
    return this.facts[name] !== undefined;
  }

  /** Sets `name` unless already set. `at` is the value's offset in the scanned text, if known. */
  set(name: FactName, value: Scalar | boolean | undefined, at?: number, length?: number): void {
    if (value === undefined || value === '' || this.facts[name] !== undefined) return;
    (this.facts as Record<string, unknown>)[name] = value;
    // `length` when the text spells the value differently (PermissionDenied -> PERMISSION_DENIED).
    const span =
      length !== undefined && at !== undefined && this.base >= 0
        ? { start: this.base + at, end: this.base + at + length }
        : this.spanOf(String(value), at);
    if (span) {
      this.facts.spans ??= {};
      this.facts.spans[name] = span;
    }
  }

  /** Overrides a weaker value (e.g. a project read from prose) with a stronger one. */
  override(name: FactName, value: Scalar | undefined, at?: number): void {
    if (value === undefined || value === '') return;
    delete (this.facts as Record<string, unknown>)[name];
    if (this.facts.spans) delete this.facts.spans[name];
    this.set(name, value, at);
  }

  spanOf(value: string, at?: number): Span | undefined {
    if (value.length === 0) return undefined;
    if (this.base >= 0 && at !== undefined)
      return { start: this.base + at, end: this.base + at + value.length };
    const probe = value.length > 80 ? value.slice(0, 80) : value;
    // Parts of a resource name are looked for inside the resource first (`google` the
    // publisher, not `google` in `google.genai.errors`).
    const within = this.facts.spans?.resource;
    if (within) {
      const j = this.original.indexOf(probe, within.start);
      if (j >= 0 && j + probe.length <= within.end + 1) return { start: j, end: j + probe.length };
    }
    const i = this.original.indexOf(probe);
    if (i >= 0) return { start: i, end: i + probe.length };
    // The value may sit in the text escaped once or twice (JSON inside a JSON string).
    let escaped = probe;
    for (let level = 0; level < 2; level++) {
      escaped = JSON.stringify(escaped).slice(1, -1);
      for (const form of [escaped, escaped.replace(/'/g, "\\'")]) {
        const j = form === probe ? -1 : this.original.indexOf(form);
        if (j >= 0) return { start: j, end: j + form.length };
      }
    }
    return undefined;
  }

  signal(id: SignalId, at?: number, length = 0): void {
    this.facts.signals ??= [];
    const list = this.facts.signals;
    if (list.some((s) => s.id === id)) return;
    const sig: Signal = { id };
    if (this.base >= 0 && at !== undefined)
      sig.span = { start: this.base + at, end: this.base + at + length };
    list.push(sig);
  }

  hasSignal(id: SignalId): boolean {
    return this.facts.signals?.some((s) => s.id === id) ?? false;
  }

  shape(shape: InputShape): void {
    this.facts.shapes ??= [];
    const list = this.facts.shapes;
    if (!list.includes(shape)) list.push(shape);
  }

  quota(patch: QuotaFacts): void {
    this.facts.quota ??= {};
    const q = this.facts.quota;
    for (const [k, v] of Object.entries(patch) as Array<[keyof QuotaFacts, QuotaFacts[keyof QuotaFacts]]>) {
      if (v === undefined) continue;
      if (k === 'dimensions') {
        q.dimensions = { ...(v as Record<string, string>), ...q.dimensions };
      } else if (q[k] === undefined || (k === 'window' && q.window === 'unknown')) {
        (q as Record<string, unknown>)[k] = v;
      }
    }
  }

  help(link: HelpLink): void {
    this.facts.helpLinks ??= [];
    const list = this.facts.helpLinks;
    if (!list.some((l) => l.url === link.url) && list.length < 20) list.push(link);
  }

  violation(v: Violation): void {
    this.facts.violations ??= [];
    const list = this.facts.violations;
    if (list.length < 50) list.push(v);
  }

  apiKey(patch: { used?: boolean; sentTo?: 'vertex' | 'gemini-api' | 'other'; restriction?: string }): void {
    this.facts.apiKey ??= {};
    const k = this.facts.apiKey;
    if (patch.used) k.used = true;
    if (patch.sentTo && !k.sentTo) k.sentTo = patch.sentTo;
    if (patch.restriction && !k.restriction) k.restriction = patch.restriction;
  }
}
