/**
 * Client formats of Google API errors for the clients that cannot run here (Go, Java), rebuilt
 * line by line from their source, and the log records that carry an error text (Datadog, Cloud
 * Logging). The Python and Node renderings come from the real SDKs (python-clients.ts,
 * node-clients.ts); these exist because no Go or JVM toolchain is installed on this machine.
 */
import { v2 } from '@datadog/datadog-api-client';
import type { RpcStatus } from '../../../src/core/model.js';
import { isObject, type Lenient, type LenientObject } from '../../../src/core/parse/lenient.js';
import { restBody, type WireError } from './wire-error.js';

/** The REST body as Google's front end sends it (two-space indented JSON). */
export function restJson(e: WireError): string {
  return JSON.stringify(restBody(e), null, 2);
}

/**
 * google.golang.org/api/googleapi (*Error).Error(), as CheckResponse fills the error from the
 * body. Source: googleapis/google-api-go-client googleapi/googleapi.go (Error, CheckResponse):
 * "googleapi: Error %d: " + Message, then "\nDetails:\n" + the details through a json.Encoder
 * with two-space indent, then ", <reason>" when one legacy item repeats the message, else
 * "\nMore details:\n" and one "Reason: %s, Message: %s\n" per item; TrimSpace only when there are
 * no legacy items.
 */
export function goGoogleapiError(e: WireError): string {
  let buf = `googleapi: Error ${e.http}: ${e.message}`;
  if (e.details.length) buf += `\nDetails:\n${goJsonEncode(e.details, '')}\n`;
  if (e.errors.length === 0) return buf.trim();
  const only = e.errors[0];
  if (e.errors.length === 1 && only && only.message === e.message) return `${buf}, ${str(only.reason)}`;
  buf += '\nMore details:\n';
  for (const v of e.errors) buf += `Reason: ${str(v.reason)}, Message: ${str(v.message)}\n`;
  return buf;
}

/**
 * encoding/json's Encoder with SetIndent("", "  ") on values decoded into interface{}: map keys
 * sorted, <, > and & escaped as \u003c, \u003e, \u0026 (SetEscapeHTML defaults to true).
 */
function goJsonEncode(v: Lenient, indent: string): string {
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    return `[\n${v.map((x) => inner + goJsonEncode(x, inner)).join(',\n')}\n${indent}]`;
  }
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    if (keys.length === 0) return '{}';
    return `{\n${keys.map((k) => `${inner}${goJsonString(k)}: ${goJsonEncode(v[k] as Lenient, inner)}`).join(',\n')}\n${indent}}`;
  }
  if (typeof v === 'string') return goJsonString(v);
  return JSON.stringify(v);
}

function goJsonString(s: string): string {
  return JSON.stringify(s)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** grpc-go codes.Code.String() (grpc/grpc-go codes/code_string.go). */
const GO_CODE: Record<RpcStatus, string> = {
  OK: 'OK',
  CANCELLED: 'Canceled',
  UNKNOWN: 'Unknown',
  INVALID_ARGUMENT: 'InvalidArgument',
  DEADLINE_EXCEEDED: 'DeadlineExceeded',
  NOT_FOUND: 'NotFound',
  ALREADY_EXISTS: 'AlreadyExists',
  PERMISSION_DENIED: 'PermissionDenied',
  RESOURCE_EXHAUSTED: 'ResourceExhausted',
  FAILED_PRECONDITION: 'FailedPrecondition',
  ABORTED: 'Aborted',
  OUT_OF_RANGE: 'OutOfRange',
  UNIMPLEMENTED: 'Unimplemented',
  INTERNAL: 'Internal',
  UNAVAILABLE: 'Unavailable',
  DATA_LOSS: 'DataLoss',
  UNAUTHENTICATED: 'Unauthenticated',
};

/**
 * A Go gRPC client's error (cloud.google.com/go/... GAPIC clients return *apierror.APIError):
 * grpc-go's status error "rpc error: code = %s desc = %s" (grpc/grpc-go internal/status
 * status.go, (*Error).Error) and then gax-go's ErrDetails.String(), one "error details: name =
 * ..." line per known detail in a fixed order (googleapis/gax-go v2/apierror/apierror.go,
 * (*APIError).Error and (ErrDetails).String). Details of unknown types are left out here (gax
 * prints them with %v of the proto message, whose spacing is deliberately unstable).
 */
export function goGrpcApiError(e: WireError): string {
  const d = (name: string) => [...e.details].reverse().find((x) => typeName(x) === name);
  const lines: string[] = [];
  const info = d('ErrorInfo');
  if (info)
    lines.push(
      `error details: name = ErrorInfo reason = ${str(info.reason)} domain = ${str(info.domain)} metadata = ${goMap(info.metadata)}`,
    );
  const bad = d('BadRequest');
  if (bad) {
    const v = objects(bad.fieldViolations ?? bad.field_violations);
    lines.push(
      `error details: name = BadRequest field = ${v.map((x) => str(x.field)).join(' ')} desc = ${v.map((x) => str(x.description)).join(' ')}`,
    );
  }
  const pre = d('PreconditionFailure');
  if (pre) {
    const v = objects(pre.violations);
    lines.push(
      `error details: name = PreconditionFailure type = ${v.map((x) => str(x.type)).join(' ')} subj = ${v.map((x) => str(x.subject)).join(' ')} desc = ${v.map((x) => str(x.description)).join(' ')}`,
    );
  }
  const quota = d('QuotaFailure');
  if (quota) {
    const v = objects(quota.violations);
    lines.push(
      `error details: name = QuotaFailure subj = ${v.map((x) => str(x.subject)).join(' ')} desc = ${v.map((x) => str(x.description)).join(' ')}`,
    );
  }
  const req = d('RequestInfo');
  if (req)
    lines.push(`error details: name = RequestInfo id = ${str(req.requestId)} data = ${str(req.servingData)}`);
  const res = d('ResourceInfo');
  if (res)
    lines.push(
      `error details: name = ResourceInfo type = ${str(res.resourceType)} resourcename = ${str(res.resourceName)} owner = ${str(res.owner)} desc = ${str(res.description)}`,
    );
  const retry = d('RetryInfo');
  if (retry) lines.push(`error details: retry in ${goDuration(str(retry.retryDelay))}`);
  const debug = d('DebugInfo');
  if (debug)
    lines.push(
      `error details: name = DebugInfo detail = ${str(debug.detail)} stack = ${(Array.isArray(debug.stackEntries) ? debug.stackEntries : []).map((x) => str(x)).join(' ')}`,
    );
  const help = d('Help');
  if (help) {
    const links = objects(help.links);
    lines.push(
      `error details: name = Help desc = ${links.map((x) => str(x.description)).join(' ')} url = ${links.map((x) => str(x.url)).join(' ')}`,
    );
  }
  const loc = d('LocalizedMessage');
  if (loc)
    lines.push(
      `error details: name = LocalizedMessage locale = ${str(loc.locale)} msg = ${str(loc.message)}`,
    );
  const status = `rpc error: code = ${GO_CODE[e.status]} desc = ${e.message}`;
  return `${status}\n${lines.map((l) => `${l}\n`).join('')}`.trim();
}

/** fmt's %s of a map[string]string: "map[k1:v1 k2:v2]", keys sorted. */
function goMap(v: Lenient | undefined): string {
  const m = isObject(v) ? v : {};
  return `map[${Object.keys(m)
    .sort()
    .map((k) => `${k}:${str(m[k])}`)
    .join(' ')}]`;
}

/** time.Duration.String() of a protobuf JSON duration ("30s", "1.5s", "90s" -> "1m30s"). */
function goDuration(json: string): string {
  const seconds = Number(json.replace(/s$/, ''));
  if (!Number.isFinite(seconds)) return '0s';
  if (seconds < 60) return `${seconds}s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Number((seconds % 60).toFixed(9));
  return `${h ? `${h}h` : ''}${m}m${s}s`;
}

/** gax-java's exception class per status code (gax ApiExceptionFactory.createException). */
const JAVA_EXCEPTION: Record<RpcStatus, string> = {
  OK: 'UnknownException',
  CANCELLED: 'CancelledException',
  UNKNOWN: 'UnknownException',
  INVALID_ARGUMENT: 'InvalidArgumentException',
  DEADLINE_EXCEEDED: 'DeadlineExceededException',
  NOT_FOUND: 'NotFoundException',
  ALREADY_EXISTS: 'AlreadyExistsException',
  PERMISSION_DENIED: 'PermissionDeniedException',
  RESOURCE_EXHAUSTED: 'ResourceExhaustedException',
  FAILED_PRECONDITION: 'FailedPreconditionException',
  ABORTED: 'AbortedException',
  OUT_OF_RANGE: 'OutOfRangeException',
  UNIMPLEMENTED: 'UnimplementedException',
  INTERNAL: 'InternalException',
  UNAVAILABLE: 'UnavailableException',
  DATA_LOSS: 'DataLossException',
  UNAUTHENTICATED: 'UnauthenticatedException',
};

/**
 * What a Java GAPIC (gRPC transport) prints for the error: the ApiException's toString(), and
 * the "Caused by:" line printStackTrace adds. gax-java ApiException(Throwable cause, ...) calls
 * super(cause), so its message is cause.toString() (googleapis/gax-java
 * gax/src/main/java/com/google/api/gax/rpc/ApiException.java); the cause is grpc-java's
 * StatusRuntimeException, whose message is Status.formatThrowableMessage: "CODE: description"
 * (grpc/grpc-java api/src/main/java/io/grpc/StatusRuntimeException.java and Status.java).
 */
export function javaGaxGrpc(e: WireError): string {
  const sre = `io.grpc.StatusRuntimeException: ${e.status}: ${e.message}`;
  return `com.google.api.gax.rpc.${JAVA_EXCEPTION[e.status]}: ${sre}\nCaused by: ${sre}`;
}

/**
 * A Datadog log record as the Logs API (v2 Log) returns it and the UI exports it, built and
 * serialised by @datadog/datadog-api-client itself: the service's log line is `message`.
 */
export function datadogRecord(text: string): string {
  const attributes = new v2.LogAttributes();
  attributes.message = text;
  attributes.service = 'genai-service';
  attributes.status = 'error';
  attributes.host = 'genai-service-00042-x7k';
  attributes.timestamp = new Date('2026-03-02T10:15:00.000Z');
  attributes.tags = ['env:prod', 'service:genai-service', 'source:python'];
  attributes.attributes = { logger: { name: 'app.services.generate' } };
  const log = new v2.Log();
  log.id = 'AQAAAZTHqMIrNFrLhAAAAAAAAAAYAAAAAEFaVEhxTUl1QUFCRXRuRDBrSHhLTGdBQQAAACQAAAAAMDE5NGM3YTgtYzIyNC00';
  log.type = 'log';
  log.attributes = attributes;
  return JSON.stringify(v2.ObjectSerializer.serialize(log, 'Log', ''), null, 2);
}

/**
 * A Cloud Logging LogEntry (the REST resource `gcloud logging read --format=json` prints) of a
 * Cloud Run service that logged the text as structured JSON: the text is `jsonPayload.message`.
 * Field names from the LogEntry reference (logging.googleapis.com v2 LogEntry).
 */
export function cloudLoggingEntry(text: string): string {
  return JSON.stringify(
    [
      {
        insertId: '65f1c2a4000d3e1b9f0c7a21',
        jsonPayload: { message: text, logger: 'app.services.generate' },
        resource: {
          type: 'cloud_run_revision',
          labels: {
            service_name: 'genai-service',
            revision_name: 'genai-service-00042-x7k',
            location: 'us-central1',
            configuration_name: 'genai-service',
            project_id: 'acme-genai-prod',
          },
        },
        timestamp: '2026-03-02T10:15:00.000000Z',
        severity: 'ERROR',
        logName: 'projects/acme-genai-prod/logs/run.googleapis.com%2Fstderr',
        receiveTimestamp: '2026-03-02T10:15:00.210000Z',
      },
    ],
    null,
    2,
  );
}

function typeName(d: LenientObject): string {
  const t = typeof d['@type'] === 'string' ? (d['@type'] as string) : '';
  return t.slice(t.lastIndexOf('.') + 1);
}

function objects(v: Lenient | undefined): LenientObject[] {
  return Array.isArray(v) ? v.filter(isObject) : [];
}

function str(v: Lenient | undefined): string {
  if (v === undefined || v === null) return '';
  return typeof v === 'string' ? v : JSON.stringify(v);
}
