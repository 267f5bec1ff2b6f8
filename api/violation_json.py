"""A refused write's SHACL results as the JSON API says them, in the language the request names.

Every client of the API reads the English `message` of each result, so it stays; when the
request names a language (`?lang=`, or a supported one in Accept-Language), each result also
carries `translated`: the rule's sentence in that language and the language it is written in,
which is English when the shape has no sentence in the language asked (a user's own shapes).
The same shape as the `translated` of the service's other JSON errors (issue 17).
"""

from __future__ import annotations

from typing import Any

from sic.errors import Violation


def violation_json(v: Violation, told: str | None = None) -> dict[str, Any]:
    """One result of a 422 body; with `told`, its sentence in that language too."""
    body: dict[str, Any] = {
        "focusNode": v.focus_node,
        "resultPath": v.path,
        "message": v.message,
        "severity": v.severity,
        "value": v.value,
        "sourceShape": v.source_shape,
        "location": str(v.location) if v.location else None,
    }
    if told is not None:
        lang = told if v.speaks(told) else "en"
        body["translated"] = {"lang": lang, "message": v.message_in(lang)}
    return body
