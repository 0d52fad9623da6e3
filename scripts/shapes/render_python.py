"""Renders Google API errors the way Google's own Python clients print them.

Reads a JSON list of errors on stdin, each {"id", "http", "status", "body"} (body: the REST error
body text), and prints a JSON object {id: {shape: text}} on stdout. Nothing here formats an
error by hand: every text is str() of an exception raised by the real library, after a real
request to a local server that replays the body (HTTP) or aborts the call with the status
(gRPC). Used by test/support/shapes (the shape-robustness test); run it with .venv/bin/python
(scripts/python-clients.sh makes the venv).
"""

import json
import logging
import sys
import threading
from concurrent import futures
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import grpc
import httplib2
import requests
from google.api_core import exceptions as core_exceptions
from google.genai import Client, errors as genai_errors, types as genai_types
from google.protobuf import any_pb2, json_format
from google.rpc import error_details_pb2, status_pb2
from googleapiclient.errors import HttpError


class Replay:
    """The error the local servers answer with next (calls are made one at a time)."""

    current: dict = {}


class ReplayHandler(BaseHTTPRequestHandler):
    def _answer(self):
        length = int(self.headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        body = Replay.current["body"].encode()
        self.send_response(Replay.current["http"])
        self.send_header("content-type", "application/json; charset=UTF-8")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = _answer
    do_POST = _answer

    def log_message(self, *args):  # the test's output is the renderings, not access logs
        pass


def detail_messages(details):
    """JSON details -> the google.rpc detail protos they encode (unknown types are skipped)."""
    out = []
    for d in details or []:
        if not isinstance(d, dict) or not isinstance(d.get("@type"), str):
            continue
        name = d["@type"].rsplit("/", 1)[-1]
        cls = getattr(error_details_pb2, name.rsplit(".", 1)[-1], None)
        if cls is None or cls.DESCRIPTOR.full_name != name:
            continue
        packed = any_pb2.Any()
        try:
            json_format.ParseDict(d, packed, ignore_unknown_fields=True)
        except json_format.ParseError:
            continue
        msg = cls()
        packed.Unpack(msg)
        out.append(msg)
    return out


class ReplayServicer(grpc.GenericRpcHandler):
    """Aborts every call with the current status, its details in grpc-status-details-bin."""

    def service(self, handler_call_details):
        def abort(_request, context):
            err = Replay.current
            code = getattr(grpc.StatusCode, err["status"], grpc.StatusCode.UNKNOWN)
            status = status_pb2.Status(code=code.value[0], message=err["message"])
            for m in detail_messages(err.get("details")):
                status.details.add().Pack(m)
            context.set_trailing_metadata((("grpc-status-details-bin", status.SerializeToString()),))
            context.abort(code, err["message"])

        return grpc.unary_unary_rpc_method_handler(abort)


def render(err, base, grpc_channel):
    out = {}
    Replay.current = err
    # google-genai: ClientError / ServerError raised by generate_content (no retries by default).
    client = Client(api_key="replay-key", http_options=genai_types.HttpOptions(base_url=base))
    try:
        client.models.generate_content(model="gemini-2.0-flash", contents="hi")
    except genai_errors.APIError as e:
        out["python-genai"] = str(e)
    # google-api-core over HTTP: what a GAPIC REST transport raises (from_http_response).
    r = requests.post(f"{base}v1/replay:call", json={})
    out["python-api-core-http"] = str(core_exceptions.from_http_response(r))
    # google-api-core over gRPC: the exception for the status, its details as google.rpc protos
    # (what from_grpc_error builds when grpcio-status decodes the trailer).
    code = getattr(grpc.StatusCode, err["status"], grpc.StatusCode.UNKNOWN)
    out["python-api-core-grpc"] = str(
        core_exceptions.from_grpc_status(code, err["message"], details=detail_messages(err.get("details")))
    )
    # grpcio itself: the _InactiveRpcError a raw stub raises.
    try:
        grpc_channel.unary_unary("/replay.Replay/Call")(b"", timeout=10)
    except grpc.RpcError as e:
        out["python-grpc"] = str(e)
    # google-api-python-client (discovery): HttpRequest.execute raises HttpError(resp, content, uri).
    uri = f"{base}v1/replay?alt=json"
    resp, content = httplib2.Http().request(uri, "POST", body="{}")
    out["python-discovery"] = str(HttpError(resp, content, uri=uri))
    return out


def main():
    logging.disable(logging.WARNING)  # google-genai logs advice about function calling
    errors = json.load(sys.stdin)
    http = ThreadingHTTPServer(("127.0.0.1", 0), ReplayHandler)
    threading.Thread(target=http.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{http.server_address[1]}/"
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2), handlers=[ReplayServicer()])
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    channel = grpc.insecure_channel(f"127.0.0.1:{port}")
    try:
        result = {e["id"]: render(e, base, channel) for e in errors}
    finally:
        channel.close()
        server.stop(None)
        http.shutdown()
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
