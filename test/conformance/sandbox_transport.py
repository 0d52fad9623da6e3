"""The one change a Python program needs to run against the sandbox: every `requests` session
sends Google's hosts (*.googleapis.com) to SANDBOX_URL, as a forward proxy would. google-auth's
token, metadata and IAM Credentials calls all go through `requests`; nothing else is patched."""

import os
from urllib.parse import urlsplit, urlunsplit

import requests

_BASE = urlsplit(os.environ["SANDBOX_URL"].rstrip("/"))
_send = requests.Session.request


def _to_sandbox(self, method, url, *args, **kwargs):
    parts = urlsplit(url)
    if parts.hostname and parts.hostname.endswith(".googleapis.com"):
        url = urlunsplit((_BASE.scheme, _BASE.netloc, parts.path, parts.query, parts.fragment))
    return _send(self, method, url, *args, **kwargs)


requests.Session.request = _to_sandbox
