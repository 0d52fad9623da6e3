export function newestMtime(dir: string): number;
export function buildIsStale(): boolean;
