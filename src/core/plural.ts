/** `3 failures`, `1 failure`: a count with its noun in the right number. */
export function counted(n: number, noun: string, formatted: string = String(n)): string {
  return `${formatted} ${noun}${n === 1 ? '' : 's'}`;
}
