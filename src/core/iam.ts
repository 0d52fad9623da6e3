/**
 * Google IAM wire types, exactly as the IAM and Resource Manager REST APIs send them
 * (https://cloud.google.com/iam/docs/reference/rest/v1/Policy, .../rest/v1/roles). Shared by the
 * role index, the policy editor, the live probes and the sandbox so that all four speak one shape.
 */

export type RoleStage = 'ALPHA' | 'BETA' | 'GA' | 'DEPRECATED' | 'DISABLED' | 'EAP';

/** An IAM role in the `roles.list?view=FULL` shape. */
export interface IamRole {
  /** `roles/aiplatform.user` or `projects/P/roles/ID` / `organizations/O/roles/ID`. */
  name: string;
  title?: string;
  description?: string;
  includedPermissions?: string[];
  stage?: RoleStage;
  etag?: string;
  deleted?: boolean;
}

/** The body of roles.list (`{"roles":[...],"nextPageToken":"..."}`). */
export interface IamRoleList {
  roles: IamRole[];
  nextPageToken?: string;
}

export interface Expr {
  expression: string;
  title?: string;
  description?: string;
  location?: string;
}

export interface Binding {
  role: string;
  members: string[];
  condition?: Expr;
}

export interface AuditLogConfig {
  logType: 'LOG_TYPE_UNSPECIFIED' | 'ADMIN_READ' | 'DATA_WRITE' | 'DATA_READ';
  exemptedMembers?: string[];
}

export interface AuditConfig {
  service: string;
  auditLogConfigs: AuditLogConfig[];
}

/** An allow policy. `etag` is base64; a setIamPolicy with a stale one gets 409 ABORTED. */
export interface Policy {
  version?: number;
  bindings?: Binding[];
  auditConfigs?: AuditConfig[];
  etag?: string;
}

/** IAM member strings: `serviceAccount:x@y`, `user:a@b`, `group:...`, `principal://...`. */
export type Member = string;
