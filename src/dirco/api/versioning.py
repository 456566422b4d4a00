"""ETag and If-Match for the API's optimistic concurrency (see dirco.core.versioning).

Every versioned record is served with ``ETag: "<version>"`` (strong, the integer in quotes)
and carries ``version`` in its body. A PATCH or PUT may send ``If-Match: "<version>"`` (or
``W/"<version>"``); when the record has been saved since, the answer is 412 and nothing is
saved. ``If-Match: *`` or no header skips the check (If-Match is not required: no 428).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from dirco.core.errors import ApplicationError


def if_match_version(request: HttpRequest) -> int | None:
    """The version named by If-Match, or None when absent or ``*``; 400 when unreadable."""
    raw = request.headers.get("If-Match", "").strip()
    if not raw or raw == "*":
        return None
    tag = raw.removeprefix("W/").strip().strip('"')
    if not tag.isdigit() or len(tag) > 9:
        raise ApplicationError(
            _('Send If-Match with the ETag you read, e.g. If-Match: "3".'),
            fields={"If-Match": [_("Not an ETag of this API.")]},
        )
    return int(tag)


def etag_set(response: HttpResponse, version: int) -> None:
    response["ETag"] = f'"{version}"'
