"""A Python service as users write them, run against the sandbox: what it does is argv[1].

  impersonate TARGET   the workload's metadata credentials impersonate TARGET (google-auth
                       narrows the source to the `iam` scope), then google-genai calls Vertex AI.
  gs-part URI          google-genai (Vertex, the workload's credentials) with a gs:// file part:
                       the SDK sends {"fileData": {"file_uri", "mime_type"}} (mixed case).
  enable SERVICE       the operator enables SERVICE and never polls the operation (fire and
                       forget), then polls services.get until the service is ENABLED.

Prints one JSON object: {"status": HTTP status, "body": the answer or the error body}.
"""

import json
import os
import sys
import time
import warnings

warnings.filterwarnings("ignore")

import google.auth
import google.auth.transport.requests
from google import genai
from google.api_core import client_options as co
from google.auth import impersonated_credentials
from google.genai import errors as genai_errors
from google.genai import types
from google.oauth2 import service_account
from googleapiclient import discovery
from googleapiclient.errors import HttpError

BASE = os.environ["SANDBOX_URL"].rstrip("/")
PROJECT = os.environ["GOOGLE_CLOUD_PROJECT"]
CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"
import sandbox_transport  # noqa: E402,F401 - sends *.googleapis.com to the sandbox


def vertex(credentials):
    return genai.Client(
        vertexai=True,
        project=PROJECT,
        location="global",
        credentials=credentials,
        http_options=types.HttpOptions(base_url=BASE + "/", api_version="v1"),
    )


def generate(credentials, contents):
    client = vertex(credentials)  # held: a Client closes its HTTP client when collected
    try:
        r = client.models.generate_content(model="gemini-2.5-flash", contents=contents)
        return {"status": 200, "body": {"text": r.text}}
    except genai_errors.APIError as e:
        return {"status": e.code, "body": e.details}
    except google.auth.exceptions.RefreshError as e:
        # google-auth raises the IAM Credentials error body as the second argument.
        detail = e.args[1] if len(e.args) > 1 else str(e)
        try:
            detail = json.loads(detail)
        except (TypeError, ValueError):
            pass
        return {"status": "refresh-error", "body": detail}


def impersonate(target):
    source, _ = google.auth.default(scopes=[CLOUD_PLATFORM])
    creds = impersonated_credentials.Credentials(
        source_credentials=source, target_principal=target, target_scopes=[CLOUD_PLATFORM], lifetime=600
    )
    return generate(creds, "Say hello")


def gs_part(uri):
    source, _ = google.auth.default(scopes=[CLOUD_PLATFORM])
    return generate(source, [types.Part.from_uri(file_uri=uri, mime_type="image/png"), "Describe this"])


def enable(service):
    operator = service_account.Credentials.from_service_account_file(os.environ["SANDBOX_ADC"], scopes=[CLOUD_PLATFORM])
    su = discovery.build(
        "serviceusage",
        "v1",
        credentials=operator,
        static_discovery=True,
        client_options=co.ClientOptions(api_endpoint=BASE + "/"),
    )
    name = f"projects/{PROJECT}/services/{service}"
    try:
        op = su.services().enable(name=name, body={}).execute()
    except HttpError as e:
        return {"status": e.status_code, "body": json.loads(e.content)}
    started = time.monotonic()
    while time.monotonic() - started < 10:
        state = su.services().get(name=name).execute()["state"]
        if state == "ENABLED":
            return {"status": 200, "body": {"state": state, "operationDone": op.get("done", False), "waited": time.monotonic() - started}}
        time.sleep(0.1)
    return {"status": "timeout", "body": {"state": state}}


action, arg = sys.argv[1], sys.argv[2]
result = {"impersonate": impersonate, "gs-part": gs_part, "enable": enable}[action](arg)
json.dump(result, sys.stdout, default=str)
