"""The API's JSON parser: DRF's, with a nesting limit, so a deeply nested body is a 400, never a RecursionError."""

import codecs
import json
import re

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32
_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKETS = re.compile(r"[\[\]{}]")


def json_depth_exceeds(text: str, limit: int = MAX_DEPTH) -> bool:
    """True when arrays/objects nest deeper than `limit` (brackets inside strings don't count)."""
    depth = 0
    for bracket in _BRACKETS.findall(_STRINGS.sub("", text)):
        if bracket in "[{":
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def invalid_json(message: str) -> ParseError:
    return ParseError(detail=message, code="invalid_json")


def _refuse_constant(name):
    raise ValueError(_("%(name)s is not a JSON number.") % {"name": name})


def json_loads_bounded(text: str, limit: int = MAX_DEPTH):
    """`json.loads` that refuses nesting deeper than `limit` and NaN/Infinity; raises ValueError with a
    sentence people read."""
    if json_depth_exceeds(text, limit):
        raise ValueError(_("The JSON body nests deeper than %(n)s levels.") % {"n": limit})
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:  # a belt to the braces above: never let it surface as a 500
        raise ValueError(_("The JSON body nests deeper than %(n)s levels.") % {"n": limit}) from None


class JSONParser(parsers.JSONParser):
    """Answers `400 invalid_json` (with the error envelope) for a body that is not JSON, is not UTF-8,
    or nests deeper than `MAX_DEPTH`."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
        except (UnicodeDecodeError, LookupError):
            raise invalid_json(_("The body is not valid %(encoding)s text.") % {"encoding": encoding}) from None
        try:
            return json_loads_bounded(text)
        except ValueError as exc:  # JSONDecodeError is a ValueError
            raise invalid_json(_("The body is not valid JSON: %(error)s") % {"error": exc}) from None
