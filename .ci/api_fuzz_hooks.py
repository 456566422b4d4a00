"""Schemathesis hooks for .ci/api_fuzz.py (loaded through SCHEMATHESIS_HOOKS).

The run authenticates with one API token per user; generated calls must not revoke it
(``DELETE /api/v1/tokens/{its id}``), or every later call would test the 401 answer only.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis

KEEP_TOKEN_IDS = {i.strip() for i in os.environ.get("FUZZ_KEEP_TOKEN_IDS", "").split(",") if i}


@schemathesis.hook
def filter_case(context: Any, case: Any) -> bool:
    if case.method.upper() == "DELETE" and case.operation.path.endswith("/tokens/{token_id}"):
        token_id = (case.path_parameters or {}).get("token_id")
        return str(token_id).strip() not in KEEP_TOKEN_IDS
    return True


@schemathesis.hook
def before_call(context: Any, case: Any, kwargs: Any) -> None:
    # The coverage phase may not go through filter_case, and values taken from responses
    # (GET /tokens lists the token's id) reach DELETE too: point those at a missing token.
    if case.method.upper() == "DELETE" and case.operation.path.endswith("/tokens/{token_id}"):
        token_id = (case.path_parameters or {}).get("token_id")
        if str(token_id).strip() in KEEP_TOKEN_IDS:
            case.path_parameters["token_id"] = 1
