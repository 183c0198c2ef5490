"""ETags and If-Match: an event's ETag is its version, and every edit must name the one it read."""

from app.core.errors import ApiError


class PreconditionRequired(ApiError):
    status, title, slug = 428, "Precondition required", "precondition-required"


def etag(version: int) -> str:
    return f'"{version}"'


def expected_versions(if_match: str | None) -> set[int] | None:
    """The versions an If-Match header accepts; None for `*`. 428 without the header.

    Only strong ETags match (RFC 9110 §13.1.1), so a weak `W/"3"` never does.
    """
    if if_match is None or not if_match.strip():
        raise PreconditionRequired(
            "Send If-Match with the ETag of the version you edited, so no one's change is lost."
        )
    versions: set[int] = set()
    for tag in (part.strip() for part in if_match.split(",")):
        if tag == "*":
            return None
        if len(tag) >= 2 and tag[0] == tag[-1] == '"' and tag[1:-1].isdigit():
            versions.add(int(tag[1:-1]))
    return versions
