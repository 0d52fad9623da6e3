/** Precision and recall of a scan against a list of expected findings (`class|subject` ids). */
export interface Score {
  precision: number;
  recall: number;
  truePositives: number;
  falsePositives: string[];
  missed: string[];
}

export function score(
  found: Array<{ id: string }>,
  expected: Array<{ kind: string; subject: string }>,
): Score {
  const want = new Set(expected.map((e) => `${e.kind}|${e.subject}`));
  const got = new Set(found.map((f) => f.id));
  const tp = [...got].filter((id) => want.has(id)).length;
  return {
    precision: got.size ? tp / got.size : want.size ? 0 : 1,
    recall: want.size ? tp / want.size : 1,
    truePositives: tp,
    falsePositives: [...got].filter((id) => !want.has(id)).sort(),
    missed: [...want].filter((id) => !got.has(id)).sort(),
  };
}
