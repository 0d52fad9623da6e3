/**
 * A flag given several times collects its values (`--project a --project b`). Used instead of
 * commander's variadic `<x...>`, which also swallows the positional file after it.
 */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
