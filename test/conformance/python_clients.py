"""Google's own Python clients against the sandbox, unchanged: one call per route.

Run by test/conformance/conformance.test.ts with the venv of scripts/python-clients.sh. Prints one
JSON array of results: {route, client, status, body, note}. `body` is the raw JSON the client
received (googleapiclient returns it as-is), checked by the Node side against the discovery
document's schema. Only the transport is pointed at the sandbox, as a service's own proxy or
universe settings would: api_endpoint for googleapiclient, base_url for google-genai, and a
requests session that sends *.googleapis.com to the sandbox for google-auth.
"""

import json
import os
import sys
import time
import traceback
import warnings

warnings.filterwarnings("ignore")

import google.auth.compute_engine
import google.auth.transport.requests
from google.api_core import client_options as co
from google.api_core import exceptions as core_exceptions
from google.auth import impersonated_credentials
from google.oauth2 import service_account
from googleapiclient import discovery
from googleapiclient.errors import HttpError

BASE = os.environ["SANDBOX_URL"].rstrip("/")
ADC = os.environ["SANDBOX_ADC"]
PROJECT = os.environ["SANDBOX_PROJECT"]
PROJECT_NUMBER = os.environ["SANDBOX_PROJECT_NUMBER"]
API_KEY = os.environ["SANDBOX_API_KEY"]
OPERATOR = os.environ["SANDBOX_OPERATOR"]
COMPUTE = f"{PROJECT_NUMBER}-compute@developer.gserviceaccount.com"
BUCKET = os.environ["SANDBOX_BUCKET"]
CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"

results = []


import sandbox_transport  # noqa: E402,F401 - sends *.googleapis.com to the sandbox


auth_request = google.auth.transport.requests.Request()


def record(route, client, fn, note=""):
    try:
        body = fn()
        results.append({"route": route, "client": client, "status": 200, "body": body, "note": note})
        return body
    except HttpError as e:
        try:
            body = json.loads(e.content.decode("utf-8"))
        except Exception:
            body = e.content.decode("utf-8", "replace")
        results.append({"route": route, "client": client, "status": e.status_code, "body": body, "note": note})
    except Exception as e:  # noqa: BLE001 - every failure is a result
        status = getattr(e, "code", None) or getattr(e, "status_code", None) or 0
        results.append(
            {
                "route": route,
                "client": client,
                "status": status if isinstance(status, int) else 0,
                "body": None,
                "note": f"{type(e).__name__}: {e}"[:800],
                "trace": traceback.format_exc()[-1500:],
            }
        )
    return None


operator = service_account.Credentials.from_service_account_file(ADC, scopes=[CLOUD_PLATFORM])
operator.refresh(auth_request)


def api(name, version):
    return discovery.build(
        name,
        version,
        credentials=operator,
        static_discovery=True,
        client_options=co.ClientOptions(api_endpoint=BASE + "/"),
        cache_discovery=False,
    )


GAPIC = "google-api-python-client"
AUTH = "google-auth"
GENAI = "google-genai"

# --- google-auth ------------------------------------------------------------------------------
record("oauth2.token", AUTH, lambda: {"token": bool(operator.token)})


def metadata_token():
    creds = google.auth.compute_engine.Credentials()
    creds.refresh(auth_request)
    return {"email": creds.service_account_email, "token": bool(creds.token)}


record("computeMetadata.token", AUTH, metadata_token)


def impersonate():
    # The source is a service-account key: google-auth narrows it to the `iam` scope (item 1).
    source = service_account.Credentials.from_service_account_file(ADC, scopes=[CLOUD_PLATFORM])
    target = impersonated_credentials.Credentials(
        source_credentials=source, target_principal=COMPUTE, target_scopes=[CLOUD_PLATFORM], lifetime=600
    )
    target.refresh(auth_request)
    session = google.auth.transport.requests.AuthorizedSession(target, auth_request=auth_request)
    r = session.get(f"{BASE}/v1/projects/{PROJECT}")
    return {"token": bool(target.token), "projectsGet": r.status_code}


record("iamcredentials.projects.serviceAccounts.generateAccessToken", AUTH, impersonate)


def id_token():
    source = service_account.Credentials.from_service_account_file(ADC, scopes=[CLOUD_PLATFORM])
    target = impersonated_credentials.Credentials(
        source_credentials=source, target_principal=COMPUTE, target_scopes=[CLOUD_PLATFORM]
    )
    idc = impersonated_credentials.IDTokenCredentials(target, target_audience="https://svc.example.run.app", include_email=True)
    idc.refresh(auth_request)
    return {"token": bool(idc.token)}


record("iamcredentials.projects.serviceAccounts.generateIdToken", AUTH, id_token)

# --- Cloud Resource Manager v1 / v3, Billing ------------------------------------------------------
crm = api("cloudresourcemanager", "v1")
record("cloudresourcemanager.projects.get", GAPIC, lambda: crm.projects().get(projectId=PROJECT).execute())
record("cloudresourcemanager.projects.list", GAPIC, lambda: crm.projects().list(filter=f"id:{PROJECT}").execute())
policy = record(
    "cloudresourcemanager.projects.getIamPolicy",
    GAPIC,
    lambda: crm.projects()
    .getIamPolicy(resource=PROJECT, body={"options": {"requestedPolicyVersion": 3}})
    .execute(),
)
if policy:
    record(
        "cloudresourcemanager.projects.setIamPolicy",
        GAPIC,
        lambda: crm.projects().setIamPolicy(resource=PROJECT, body={"policy": policy}).execute(),
    )
record(
    "cloudresourcemanager.projects.testIamPermissions",
    GAPIC,
    lambda: crm.projects()
    .testIamPermissions(resource=PROJECT, body={"permissions": ["resourcemanager.projects.get"]})
    .execute(),
)
crm3 = api("cloudresourcemanager", "v3")
record("v3:cloudresourcemanager.projects.get", GAPIC, lambda: crm3.projects().get(name=f"projects/{PROJECT}").execute())
record("v3:cloudresourcemanager.projects.search", GAPIC, lambda: crm3.projects().search(query=f"id:{PROJECT}").execute())
policy3 = record(
    "v3:cloudresourcemanager.projects.getIamPolicy",
    GAPIC,
    lambda: crm3.projects().getIamPolicy(resource=f"projects/{PROJECT}", body={"options": {"requestedPolicyVersion": 3}}).execute(),
)
if policy3:
    record(
        "v3:cloudresourcemanager.projects.setIamPolicy",
        GAPIC,
        lambda: crm3.projects().setIamPolicy(resource=f"projects/{PROJECT}", body={"policy": policy3}).execute(),
    )
record(
    "v3:cloudresourcemanager.projects.testIamPermissions",
    GAPIC,
    lambda: crm3.projects()
    .testIamPermissions(resource=f"projects/{PROJECT}", body={"permissions": ["resourcemanager.projects.get"]})
    .execute(),
)
billing = api("cloudbilling", "v1")
record(
    "cloudbilling.projects.getBillingInfo",
    GAPIC,
    lambda: billing.projects().getBillingInfo(name=f"projects/{PROJECT}").execute(),
)

# --- IAM ------------------------------------------------------------------------------------
iam = api("iam", "v1")
record("iam.roles.list", GAPIC, lambda: iam.roles().list(pageSize=5).execute())
record("iam.roles.get", GAPIC, lambda: iam.roles().get(name="roles/aiplatform.user").execute())
record(
    "iam.roles.queryGrantableRoles",
    GAPIC,
    lambda: iam.roles()
    .queryGrantableRoles(body={"fullResourceName": f"//cloudresourcemanager.googleapis.com/projects/{PROJECT}", "pageSize": 5})
    .execute(),
)
prole = iam.projects().roles()
parent = f"projects/{PROJECT}"
record(
    "iam.projects.roles.create",
    GAPIC,
    lambda: prole.create(
        parent=parent,
        body={"roleId": "conformanceRole", "role": {"title": "Conformance", "includedPermissions": ["aiplatform.endpoints.predict"]}},
    ).execute(),
)
record("iam.projects.roles.list", GAPIC, lambda: prole.list(parent=parent).execute())
got = record("iam.projects.roles.get", GAPIC, lambda: prole.get(name=f"{parent}/roles/conformanceRole").execute())
if got:
    record(
        "iam.projects.roles.patch",
        GAPIC,
        lambda: prole.patch(
            name=f"{parent}/roles/conformanceRole",
            updateMask="title",
            body={"title": "Conformance 2", "etag": got["etag"]},
        ).execute(),
    )
record("iam.projects.roles.delete", GAPIC, lambda: prole.delete(name=f"{parent}/roles/conformanceRole").execute())
record("iam.projects.roles.undelete", GAPIC, lambda: prole.undelete(name=f"{parent}/roles/conformanceRole", body={}).execute())
sas = iam.projects().serviceAccounts()
record("iam.projects.serviceAccounts.list", GAPIC, lambda: sas.list(name=parent).execute())
record(
    "iam.projects.serviceAccounts.create",
    GAPIC,
    lambda: sas.create(name=parent, body={"accountId": "conformance-sa", "serviceAccount": {"displayName": "c"}}).execute(),
)
sa_name = f"{parent}/serviceAccounts/conformance-sa@{PROJECT}.iam.gserviceaccount.com"
record("iam.projects.serviceAccounts.get", GAPIC, lambda: sas.get(name=sa_name).execute())
sa_policy = record("iam.projects.serviceAccounts.getIamPolicy", GAPIC, lambda: sas.getIamPolicy(resource=sa_name).execute())
if sa_policy is not None:
    sa_policy.setdefault("bindings", []).append(
        {"role": "roles/iam.serviceAccountUser", "members": [f"serviceAccount:{OPERATOR}"]}
    )
    record(
        "iam.projects.serviceAccounts.setIamPolicy",
        GAPIC,
        lambda: sas.setIamPolicy(resource=sa_name, body={"policy": sa_policy}).execute(),
    )
record(
    "iam.projects.serviceAccounts.testIamPermissions",
    GAPIC,
    lambda: sas.testIamPermissions(resource=sa_name, body={"permissions": ["iam.serviceAccounts.actAs"]}).execute(),
)
record("iam.projects.serviceAccounts.delete", GAPIC, lambda: sas.delete(name=sa_name).execute())
creds_api = api("iamcredentials", "v1")
record(
    "iamcredentials.projects.serviceAccounts.generateAccessToken",
    GAPIC,
    lambda: creds_api.projects()
    .serviceAccounts()
    .generateAccessToken(name=f"projects/-/serviceAccounts/{COMPUTE}", body={"scope": [CLOUD_PLATFORM]})
    .execute(),
)
record(
    "iamcredentials.projects.serviceAccounts.generateIdToken",
    GAPIC,
    lambda: creds_api.projects()
    .serviceAccounts()
    .generateIdToken(name=f"projects/-/serviceAccounts/{COMPUTE}", body={"audience": "https://svc.example.run.app"})
    .execute(),
)

# --- Policy Troubleshooter v3 ---------------------------------------------------------------
pt = api("policytroubleshooter", "v3")
record(
    "policytroubleshooter.iam.troubleshoot",
    GAPIC,
    lambda: pt.iam()
    .troubleshoot(
        body={
            "accessTuple": {
                "principal": COMPUTE,
                "fullResourceName": f"//cloudresourcemanager.googleapis.com/projects/{PROJECT}",
                "permission": "aiplatform.endpoints.predict",
            }
        }
    )
    .execute(),
)

# --- Service Usage --------------------------------------------------------------------------
su = api("serviceusage", "v1")
svc = f"projects/{PROJECT}/services/translate.googleapis.com"
record("serviceusage.services.get", GAPIC, lambda: su.services().get(name=svc).execute())
record(
    "serviceusage.services.list",
    GAPIC,
    lambda: su.services().list(parent=f"projects/{PROJECT}", filter="state:ENABLED", pageSize=3).execute(),
)
op = record("serviceusage.services.enable", GAPIC, lambda: su.services().enable(name=svc, body={}).execute())
if op:
    record("serviceusage.operations.get", GAPIC, lambda: su.operations().get(name=op["name"]).execute())
record("serviceusage.services.disable", GAPIC, lambda: su.services().disable(name=svc, body={}).execute())

# --- Cloud Run v2 ---------------------------------------------------------------------------
run = api("run", "v2")
loc = f"projects/{PROJECT}/locations/us-central1"
record("run.projects.locations.services.list", GAPIC, lambda: run.projects().locations().services().list(parent=loc).execute())
service = record(
    "run.projects.locations.services.get",
    GAPIC,
    lambda: run.projects().locations().services().get(name=f"{loc}/services/genai-adk-python").execute(),
)
if service:
    patched = record(
        "run.projects.locations.services.patch",
        GAPIC,
        lambda: run.projects()
        .locations()
        .services()
        .patch(
            name=service["name"],
            updateMask="template.containers",
            body={"template": {"containers": [{"image": service["template"]["containers"][0]["image"], "env": [{"name": "A", "value": "1"}]}]}, "etag": service["etag"]},
        )
        .execute(),
    )
    if patched:
        record(
            "run.projects.locations.operations.get",
            GAPIC,
            lambda: run.projects().locations().operations().get(name=patched["name"]).execute(),
        )
        record(
            "run.projects.locations.operations.wait",
            GAPIC,
            lambda: run.projects().locations().operations().wait(name=patched["name"], body={"timeout": "10s"}).execute(),
        )
    record(
        "run.projects.locations.operations.list",
        GAPIC,
        lambda: run.projects().locations().operations().list(name=loc).execute(),
    )
    record(
        "run.projects.locations.services.revisions.list",
        GAPIC,
        lambda: run.projects().locations().services().revisions().list(parent=service["name"]).execute(),
    )

# --- Cloud Logging --------------------------------------------------------------------------
logging_api = api("logging", "v2")
record(
    "logging.entries.list",
    GAPIC,
    lambda: logging_api.entries()
    .list(body={"resourceNames": [f"projects/{PROJECT}"], "pageSize": 2, "filter": "severity>=ERROR"})
    .execute(),
)

# --- Vertex AI through googleapiclient (raw bodies for the schema check) ----------------------
aip = api("aiplatform", "v1")
model = f"projects/{PROJECT}/locations/global/publishers/google/models/gemini-2.5-flash"
gen_body = {"contents": [{"role": "user", "parts": [{"text": "hello"}]}]}
record(
    "aiplatform.projects.locations.publishers.models.generateContent",
    GAPIC,
    lambda: aip.projects().locations().publishers().models().generateContent(model=model, body=gen_body).execute(),
)
record(
    "aiplatform.projects.locations.publishers.models.streamGenerateContent",
    GAPIC,
    lambda: aip.projects().locations().publishers().models().streamGenerateContent(model=model, body=gen_body).execute(),
)
record(
    "aiplatform.projects.locations.publishers.models.countTokens",
    GAPIC,
    lambda: aip.projects().locations().publishers().models().countTokens(endpoint=model, body=gen_body).execute(),
)
record(
    "aiplatform.publishers.models.get",
    GAPIC,
    lambda: aip.publishers().models().get(name="publishers/google/models/gemini-2.5-flash").execute(),
)

# --- google-genai (Vertex with OAuth, Gemini API with a key) -----------------------------------
from google import genai  # noqa: E402
from google.genai import errors as genai_errors  # noqa: E402
from google.genai import types  # noqa: E402


def genai_result(fn):
    def run_it():
        try:
            return fn()
        except genai_errors.APIError as e:
            raise HttpLike(e.code, e.details) from e

    return run_it


class HttpLike(Exception):
    def __init__(self, code, details):
        super().__init__(str(details)[:300])
        self.code = code
        self.details = details


_clients = {}


def vertex_client():
    # Kept: a google-genai Client closes its HTTP client when it is garbage-collected.
    if "vertex" not in _clients:
        _clients["vertex"] = _vertex_client()
    return _clients["vertex"]


def gemini_client():
    if "gemini" not in _clients:
        _clients["gemini"] = genai.Client(
            api_key=API_KEY, http_options=types.HttpOptions(base_url=BASE + "/", api_version="v1beta")
        )
    return _clients["gemini"]


def _vertex_client():
    return genai.Client(
        vertexai=True,
        project=PROJECT,
        location="global",
        credentials=operator,
        http_options=types.HttpOptions(base_url=BASE + "/", api_version="v1"),
    )


def vertex_generate():
    r = vertex_client().models.generate_content(
        model="gemini-2.5-flash",
        contents=[
            types.Part.from_uri(file_uri=f"gs://{BUCKET}/cat.png", mime_type="image/png"),
            "Describe this image",
        ],
    )
    return {"text": r.text, "usage": r.usage_metadata.total_token_count}


record("aiplatform.projects.locations.publishers.models.generateContent", GENAI, genai_result(vertex_generate), "gs:// part")


def vertex_stream():
    chunks = list(vertex_client().models.generate_content_stream(model="gemini-2.5-flash", contents="hi"))
    return {"chunks": len(chunks), "text": "".join(c.text or "" for c in chunks)}


record("aiplatform.projects.locations.publishers.models.streamGenerateContent", GENAI, genai_result(vertex_stream))
record(
    "aiplatform.projects.locations.publishers.models.countTokens",
    GENAI,
    genai_result(lambda: {"total": vertex_client().models.count_tokens(model="gemini-2.5-flash", contents="hello there").total_tokens}),
)
record(
    "generativelanguage.models.generateContent",
    GENAI,
    genai_result(lambda: {"text": gemini_client().models.generate_content(model="gemini-2.5-flash", contents="hi").text}),
)
record(
    "generativelanguage.models.countTokens",
    GENAI,
    genai_result(lambda: {"total": gemini_client().models.count_tokens(model="gemini-2.5-flash", contents="hello").total_tokens}),
)
record(
    "generativelanguage.models.get",
    GENAI,
    genai_result(lambda: {"name": gemini_client().models.get(model="gemini-2.5-flash").name}),
)
record(
    "generativelanguage.models.list",
    GENAI,
    genai_result(lambda: {"names": [m.name for m in gemini_client().models.list(config={"page_size": 50})]}),
)

json.dump(results, sys.stdout)
