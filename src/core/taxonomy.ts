/**
 * The cause ids and catalog codes of ../shared/corpus/TAXONOMY.md: the stable contract between
 * the diagnosis engine, the error catalog, the evaluation and every front end.
 */

export const CAUSES = {
  'iam.missing_permission': 1152,
  'iam.cross_project': 1152,
  'iam.vpc_service_controls': 1152,
  'iam.deny_policy': 1152,
  'iam.propagation_delay': 1152,
  'iam.service_agent': 1152,
  'iam.act_as': 1152,
  'project.mismatch': 1150,
  'project.invalid': 1150,
  'api.disabled': 1110,
  'billing.disabled': 1111,
  'quota_project.denied': 1112,
  'model.not_found': 1120,
  'model.location_unsupported': 1121,
  'model.access_restricted': 1122,
  'region.unsupported': 1123,
  'auth.credentials_missing': 1101,
  'auth.credentials_invalid': 1102,
  'auth.scope_insufficient': 1103,
  'auth.api_key_invalid': 1100,
  'auth.api_key_unsupported': 1104,
  'quota.exceeded': 1100,
  'rate.throttled': 1153,
  'org_policy.violation': 1160,
  unknown: 1199,
} as const;

export type CauseId = keyof typeof CAUSES;
export type ErrorCode = (typeof CAUSES)[CauseId];

export const CAUSE_IDS = Object.keys(CAUSES) as CauseId[];
export const ERROR_CODES = [...new Set(Object.values(CAUSES))].sort((a, b) => a - b) as ErrorCode[];

export function codeOf(cause: CauseId): ErrorCode {
  return CAUSES[cause];
}

export function isCauseId(value: string): value is CauseId {
  return Object.hasOwn(CAUSES, value);
}

export function causesWithCode(code: number): CauseId[] {
  return CAUSE_IDS.filter((id) => CAUSES[id] === code);
}
