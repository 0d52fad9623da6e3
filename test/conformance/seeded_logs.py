"""Re-creates each seeded log line's exception with the real client and prints what it writes.

Reads a JSON list of {kind, text} (file in argv[1]); for each, rebuilds the exception from the
values in the line (ast.literal_eval of its repr) and prints `kind: str(exception)`, which the
test compares with the line: equal only if the line is what the real client writes.
"""

import ast
import json
import sys
import warnings

warnings.filterwarnings("ignore")

from google.auth import exceptions as auth_exceptions
from google.genai import errors as genai_errors

out = []
for line in json.load(open(sys.argv[1])):
    kind, text = line["kind"], line["text"]
    rest = text[len(kind) + 2 :]
    if kind.startswith("google.genai.errors."):
        head, _, body = rest.partition(". ")
        code = int(head.split(" ")[0])
        cls = getattr(genai_errors, kind.rsplit(".", 1)[1])
        out.append(f"{kind}: {cls(code, ast.literal_eval(body))}")
    elif kind == "google.auth.exceptions.RefreshError":
        out.append(f"{kind}: {auth_exceptions.RefreshError(*ast.literal_eval(rest))}")
    else:
        out.append(None)
json.dump(out, sys.stdout)
