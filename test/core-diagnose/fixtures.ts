/**
 * Error outputs in the shapes Google's APIs and client libraries print them (google.rpc.Status
 * JSON with its detail types, Python dict repr, gRPC status text and text proto, Java gax,
 * .NET Grpc.Core, Go googleapi, gcloud YAML details, google-auth errors). Project ids, numbers
 * and models are made up; the shapes and wording follow what the services return.
 */

const status = (o: unknown) => JSON.stringify(o, null, 2);

/** REST JSON, Gemini API free tier exhausted: QuotaFailure + Help + RetryInfo. */
export const REST_QUOTA = status({
  error: {
    code: 429,
    message:
      'You exceeded your current quota, please check your plan and billing details. For more information on this error, head to: https://ai.google.dev/gemini-api/docs/rate-limits.',
    status: 'RESOURCE_EXHAUSTED',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [
          {
            quotaMetric: 'generativelanguage.googleapis.com/generate_content_free_tier_requests',
            quotaId: 'GenerateRequestsPerDayPerProjectPerModel-FreeTier',
            quotaDimensions: { location: 'global', model: 'gemini-2.5-pro' },
            quotaValue: '50',
          },
        ],
      },
      {
        '@type': 'type.googleapis.com/google.rpc.Help',
        links: [
          {
            description: 'Learn more about Gemini API quotas',
            url: 'https://ai.google.dev/gemini-api/docs/rate-limits',
          },
        ],
      },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '41s' },
    ],
  },
});

/** REST JSON, SERVICE_DISABLED with LocalizedMessage and Help. */
export const REST_SERVICE_DISABLED = status({
  error: {
    code: 403,
    message:
      'Vertex AI API has not been used in project 123456789012 before or it is disabled. Enable it by visiting https://console.developers.google.com/apis/api/aiplatform.googleapis.com/overview?project=123456789012 then retry. If you enabled this API recently, wait a few minutes for the action to propagate to our systems and retry.',
    status: 'PERMISSION_DENIED',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'SERVICE_DISABLED',
        domain: 'googleapis.com',
        metadata: {
          consumer: 'projects/123456789012',
          service: 'aiplatform.googleapis.com',
          serviceTitle: 'Vertex AI API',
          containerInfo: '123456789012',
          activationUrl:
            'https://console.developers.google.com/apis/api/aiplatform.googleapis.com/overview?project=123456789012',
        },
      },
      {
        '@type': 'type.googleapis.com/google.rpc.LocalizedMessage',
        locale: 'en-US',
        message: 'Vertex AI API has not been used in project 123456789012 before or it is disabled.',
      },
      {
        '@type': 'type.googleapis.com/google.rpc.Help',
        links: [
          {
            description: 'Google developers console API activation',
            url: 'https://console.developers.google.com/apis/api/aiplatform.googleapis.com/overview?project=123456789012',
          },
        ],
      },
    ],
  },
});

/** REST JSON, 400 with BadRequest field violations and DebugInfo. */
export const REST_BAD_REQUEST = status({
  error: {
    code: 400,
    message: 'Request contains an invalid argument.',
    status: 'INVALID_ARGUMENT',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.BadRequest',
        fieldViolations: [{ field: 'generation_config.temperature', description: 'must be between 0 and 2' }],
      },
      {
        '@type': 'type.googleapis.com/google.rpc.DebugInfo',
        detail: '[ORIGINAL ERROR] generic::invalid_argument',
      },
    ],
  },
});

/** REST JSON, VPC Service Controls. */
export const REST_VPC_SC = status({
  error: {
    code: 403,
    message:
      "Request is prohibited by organization's policy. vpcServiceControlsUniqueIdentifier: 2kRDsq9yhGxxjB3PJ9j1Y6bGfFExqLHRQcRa",
    status: 'PERMISSION_DENIED',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.PreconditionFailure',
        violations: [{ type: 'VPC_SERVICE_CONTROLS', description: '2kRDsq9yhGxxjB3PJ9j1Y6bGfFExqLHRQcRa' }],
      },
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'SECURITY_POLICY_VIOLATED',
        domain: 'googleapis.com',
        metadata: { service: 'aiplatform.googleapis.com', uid: '2kRDsq9yhGxxjB3PJ9j1Y6bGfFExqLHRQcRa' },
      },
    ],
  },
});

/** REST JSON, USER_PROJECT_DENIED (user credentials + a quota project the user may not use). */
export const REST_USER_PROJECT_DENIED = status({
  error: {
    code: 403,
    message:
      'Caller does not have required permission to use project acme-billing. Grant the caller the roles/serviceusage.serviceUsageConsumer role, or a custom role with the serviceusage.services.use permission, by visiting https://console.developers.google.com/iam-admin/iam/project?project=acme-billing and then retry. Propagation of the new permission may take a few minutes.',
    status: 'PERMISSION_DENIED',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'USER_PROJECT_DENIED',
        domain: 'googleapis.com',
        metadata: { consumer: 'projects/acme-billing', service: 'aiplatform.googleapis.com' },
      },
    ],
  },
});

/** REST JSON, API key not valid (Gemini API). */
export const REST_API_KEY_INVALID = status({
  error: {
    code: 400,
    message: 'API key not valid. Please pass a valid API key.',
    status: 'INVALID_ARGUMENT',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'API_KEY_INVALID',
        domain: 'googleapis.com',
        metadata: { service: 'generativelanguage.googleapis.com' },
      },
      {
        '@type': 'type.googleapis.com/google.rpc.LocalizedMessage',
        locale: 'en-US',
        message: 'API key not valid. Please pass a valid API key.',
      },
    ],
  },
});

/** Vertex AI 403 as REST JSON (the seed's error). */
export function vertex403(project: string, location: string, model: string): string {
  const resource = `projects/${project}/locations/${location}/publishers/google/models/${model}`;
  return status({
    error: {
      code: 403,
      message: `Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/${resource}' (or it may not exist).`,
      status: 'PERMISSION_DENIED',
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: 'IAM_PERMISSION_DENIED',
          domain: 'aiplatform.googleapis.com',
          metadata: { permission: 'aiplatform.endpoints.predict', resource },
        },
      ],
    },
  });
}

/** Vertex AI 404 for a publisher model, as the REST API returns it. */
export function vertex404(project: string, location: string, model: string): string {
  return status({
    error: {
      code: 404,
      message: `Publisher Model \`projects/${project}/locations/${location}/publishers/google/models/${model}\` was not found or your project does not have access to it. Please ensure you are using a valid model version. For more information, see: https://cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versions`,
      status: 'NOT_FOUND',
    },
  });
}

/** Python google-genai: ClientError around a dict repr (single quotes). */
export const PY_GENAI_DICT =
  "Traceback (most recent call last):\n  File \"/app/main.py\", line 12, in <module>\n    resp = client.models.generate_content(model='gemini-2.5-flash', contents='hi')\n" +
  "google.genai.errors.ClientError: 403 PERMISSION_DENIED. {'error': {'code': 403, 'message': \"Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/acme-prod/locations/us-central1/publishers/google/models/gemini-2.5-flash' (or it may not exist).\", 'status': 'PERMISSION_DENIED', 'details': [{'@type': 'type.googleapis.com/google.rpc.ErrorInfo', 'reason': 'IAM_PERMISSION_DENIED', 'domain': 'aiplatform.googleapis.com', 'metadata': {'permission': 'aiplatform.endpoints.predict', 'resource': 'projects/acme-prod/locations/us-central1/publishers/google/models/gemini-2.5-flash'}}]}}";

/** Node @google/genai: `got status: 404 Not Found. {json}`. */
export const NODE_GOT_STATUS =
  'ClientError: got status: 404 Not Found. {"error":{"code":404,"message":"Publisher Model `projects/acme-prod/locations/us-central1/publishers/google/models/gemini-3-pro-preview` was not found or your project does not have access to it. Please ensure you are using a valid model version. For more information, see: https://cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versions","status":"NOT_FOUND"}}\n    at throwErrorIfNotOK (file:///app/node_modules/@google/genai/dist/node/index.mjs:11200:30)';

/** Python gRPC: _InactiveRpcError with status, details and debug_error_string. */
export const PY_GRPC =
  '_InactiveRpcError: <_InactiveRpcError of RPC that terminated with:\n' +
  '\tstatus = StatusCode.PERMISSION_DENIED\n' +
  "\tdetails = \"Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/acme-ml/locations/europe-west4/publishers/google/models/gemini-2.0-flash-001' (or it may not exist).\"\n" +
  '\tdebug_error_string = "UNKNOWN:Error received from peer ipv4:142.250.1.95:443 {created_time:"2025-06-01T10:00:00Z", grpc_status:7}"\n>';

/** api_core exception with text-proto QuotaFailure and RetryInfo details. */
export const PY_TEXTPROTO_QUOTA =
  'google.api_core.exceptions.ResourceExhausted: 429 Quota exceeded for aiplatform.googleapis.com/generate_content_requests_per_minute_per_project_per_base_model with base model: gemini-2.5-pro. Please submit a quota increase request. [violations {\n' +
  '  quota_metric: "aiplatform.googleapis.com/generate_content_requests_per_minute_per_project_per_base_model"\n' +
  '  quota_id: "GenerateContentRequestsPerMinutePerProjectPerBaseModel"\n' +
  '  quota_dimensions {\n    key: "base_model"\n    value: "gemini-2.5-pro"\n  }\n' +
  '  quota_dimensions {\n    key: "location"\n    value: "us-central1"\n  }\n}\n' +
  ', retry_delay {\n  seconds: 30\n}\n]';

/** api_core exception with a text-proto ErrorInfo: SERVICE_DISABLED. */
export const PY_TEXTPROTO_SERVICE_DISABLED =
  'google.api_core.exceptions.PermissionDenied: 403 Vertex AI API has not been used in project 555555555555 before or it is disabled. [reason: "SERVICE_DISABLED"\n' +
  'domain: "googleapis.com"\n' +
  'metadata {\n  key: "service"\n  value: "aiplatform.googleapis.com"\n}\n' +
  'metadata {\n  key: "consumer"\n  value: "projects/555555555555"\n}\n' +
  ', links {\n  description: "Google developers console API activation"\n  url: "https://console.developers.google.com/apis/api/aiplatform.googleapis.com/overview?project=555555555555"\n}\n]';

/** Java gax over gRPC. */
export const JAVA_GAX =
  "com.google.api.gax.rpc.PermissionDeniedException: io.grpc.StatusRuntimeException: PERMISSION_DENIED: Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/acme-java/locations/us-east4/publishers/google/models/gemini-2.5-pro' (or it may not exist).\n" +
  '\tat com.google.api.gax.rpc.ApiExceptionFactory.createException(ApiExceptionFactory.java:90)\n' +
  '\tat com.google.api.gax.grpc.GrpcApiExceptionFactory.create(GrpcApiExceptionFactory.java:41)';

/** Java google-api-client over REST. */
export const JAVA_JSON_RESPONSE =
  'com.google.api.client.googleapis.json.GoogleJsonResponseException: 403 Forbidden\n{\n  "code" : 403,\n  "errors" : [ {\n    "domain" : "global",\n    "message" : "The caller does not have permission",\n    "reason" : "forbidden"\n  } ],\n  "message" : "The caller does not have permission",\n  "status" : "PERMISSION_DENIED"\n}';

/** .NET Grpc.Core. */
export const DOTNET_RPC =
  'Grpc.Core.RpcException: Status(StatusCode="PermissionDenied", Detail="Permission \'aiplatform.endpoints.predict\' denied on resource \'//aiplatform.googleapis.com/projects/acme-dotnet/locations/global/publishers/google/models/gemini-2.5-flash\' (or it may not exist).")\n   at Google.Cloud.AIPlatform.V1.PredictionServiceClientImpl.GenerateContent(GenerateContentRequest request, CallSettings callSettings)';

/** Go google-api-go-client with Details. */
export const GO_GOOGLEAPI =
  "googleapi: Error 403: Permission 'iam.serviceAccounts.actAs' denied on service account runner@acme-go.iam.gserviceaccount.com (or it may not exist)., forbidden\n" +
  'Details:\n[\n  {\n    "@type": "type.googleapis.com/google.rpc.ErrorInfo",\n    "domain": "iam.googleapis.com",\n    "metadata": {\n      "permission": "iam.serviceAccounts.actAs"\n    },\n    "reason": "IAM_PERMISSION_DENIED"\n  }\n]';

/** gcloud with YAML details. */
export const GCLOUD_YAML =
  "ERROR: (gcloud.ai.endpoints.predict) PERMISSION_DENIED: Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/projects/acme-cli/locations/us-central1/endpoints/1234567890' (or it may not exist).\n" +
  "- '@type': type.googleapis.com/google.rpc.ErrorInfo\n  domain: aiplatform.googleapis.com\n  metadata:\n    permission: aiplatform.endpoints.predict\n    resource: projects/acme-cli/locations/us-central1/endpoints/1234567890\n  reason: IAM_PERMISSION_DENIED";

/** google-auth (Python) and google-auth-library (Node) credential errors. */
export const PY_DEFAULT_CREDENTIALS =
  'google.auth.exceptions.DefaultCredentialsError: Your default credentials were not found. To set up Application Default Credentials, see https://cloud.google.com/docs/authentication/external/set-up-adc for more information.';
export const NODE_NO_CREDENTIALS =
  'Error: Could not load the default credentials. Browse to https://cloud.google.com/docs/authentication/getting-started for more information.\n    at GoogleAuth.getApplicationDefaultAsync (/app/node_modules/google-auth-library/build/src/auth/googleauth.js:284:15)';
export const PY_REFRESH_INVALID_GRANT =
  "google.auth.exceptions.RefreshError: ('invalid_grant: Token has been expired or revoked.', {'error': 'invalid_grant', 'error_description': 'Token has been expired or revoked.'})";
export const PY_REAUTH =
  'google.auth.exceptions.RefreshError: Reauthentication is needed. Please run `gcloud auth application-default login` to reauthenticate.';

/** An error printed by a service agent lacking access to a bucket. */
export const SERVICE_AGENT_STORAGE = status({
  error: {
    code: 403,
    message:
      "service-123456789012@gcp-sa-aiplatform.iam.gserviceaccount.com does not have storage.objects.get access to the Google Cloud Storage object. Permission 'storage.objects.get' denied on resource (or it may not exist).",
    status: 'PERMISSION_DENIED',
  },
});

/** An org-policy violation (PreconditionFailure). */
export const ORG_POLICY = status({
  error: {
    code: 400,
    message:
      'The request has violated one or more Org Policies. Please refer to the respective violations for more information.',
    status: 'FAILED_PRECONDITION',
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.PreconditionFailure',
        violations: [
          {
            type: 'constraints/gcp.resourceLocations',
            subject: 'orgpolicy:projects/acme-eu',
            description:
              'Constraint constraints/gcp.resourceLocations violated for projects/acme-eu attempting to use location us-central1.',
          },
        ],
      },
    ],
  },
});

/** Secret-shaped values (not real credentials) in the formats Google issues them. */
export const SECRETS = {
  apiKey: `AIzaSy${'B'.repeat(33)}`,
  expressKey: `AQ.Ab8RN6${'x'.repeat(40)}`,
  accessToken: `ya29.a0AfB_${'c'.repeat(60)}`,
  refreshToken: `1//0g${'d'.repeat(40)}`,
  jwt: `eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJ4In0.${'e'.repeat(40)}`,
  clientSecret: `GOCSPX-${'f'.repeat(28)}`,
  pem: `-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC${'g'.repeat(60)}\n-----END PRIVATE KEY-----`,
};
