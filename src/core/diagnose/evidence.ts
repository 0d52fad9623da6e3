/** Small constructors for the typed record of why a rule fired. */
import type { Evidence, FactName, SignalId } from '../model.js';
import type { Derived } from './derive.js';

/** What a rule concluded: how sure, what speaks for and against, what is still unknown. */
export interface RuleHit {
  confidence: number;
  summary: string;
  evidence: Evidence[];
  against: string[];
  unknowns: string[];
}

/** Builds a RuleHit step by step; confidence moves are recorded as evidence / against. */
export class Hit {
  confidence: number;
  readonly evidence: Evidence[] = [];
  readonly against: string[] = [];
  readonly unknowns: string[] = [];

  constructor(
    private readonly d: Derived,
    base: number,
  ) {
    this.confidence = base;
  }

  fact(name: FactName, note?: string): this {
    const value = this.d.facts[name];
    if (value === undefined) return this;
    const e: Evidence = { fact: name, value: String(value) };
    const span = this.d.facts.spans?.[name];
    if (span) e.span = span;
    if (note) e.note = note;
    this.evidence.push(e);
    return this;
  }

  signal(id: SignalId, note: string): this {
    const e: Evidence = { fact: `signal.${id}`, value: id, note };
    const span = this.d.signalSpan(id);
    if (span) e.span = span;
    this.evidence.push(e);
    return this;
  }

  context(name: string, value: string | undefined, note?: string): this {
    if (value === undefined) return this;
    this.evidence.push({ fact: `context.${name}`, value, ...(note ? { note } : {}) });
    return this;
  }

  derived(name: string, value: string, note?: string): this {
    this.evidence.push({ fact: name, value, ...(note ? { note } : {}) });
    return this;
  }

  plus(delta: number): this {
    this.confidence += delta;
    return this;
  }

  /** Something speaks against the finding: lowers confidence and says why. */
  minus(delta: number, why: string): this {
    this.confidence -= delta;
    this.against.push(why);
    return this;
  }

  /** A key fact is missing: confidence drops and the fact is listed as unknown. */
  missing(delta: number, what: string): this {
    this.confidence -= delta;
    this.unknowns.push(what);
    return this;
  }

  done(summary: string): RuleHit {
    return {
      confidence: Math.round(Math.min(0.97, Math.max(0.05, this.confidence)) * 100) / 100,
      summary,
      evidence: this.evidence,
      against: this.against,
      unknowns: this.unknowns,
    };
  }
}
