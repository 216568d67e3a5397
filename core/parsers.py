"""The API's JSON parser: DRF's, with a nesting limit, so a deeply nested body is a 400, never a RecursionError."""

import codecs
import json
from itertools import chain

from django.conf import settings
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError

MAX_DEPTH = 32


def json_depth_exceeds(value, limit: int = MAX_DEPTH) -> bool:
    """True when the parsed JSON `value`'s arrays/objects nest deeper than `limit` (the outermost counts 1).

    Walks the containers only, after parsing, a level at a time: on a 4 MB manifest this costs a tenth of a scan
    of the text (which must skip every string's brackets). A level's values are first asked their kinds in one C
    pass, so a level without containers (10,000 manifest rows' 150,000 values) is not walked in Python."""
    level = [value] if type(value) in _CONTAINERS else []
    depth = 0
    while level:
        depth += 1
        if depth > limit:
            return True
        kinds = set(map(type, _children(level)))
        level = [child for child in _children(level) if type(child) in _CONTAINERS] if kinds & _KINDS else []
    return False


_CONTAINERS = (dict, list)
_KINDS = set(_CONTAINERS)


def _children(containers):
    return chain.from_iterable(c.values() if type(c) is dict else c for c in containers)


def invalid_json(message: str) -> ParseError:
    return ParseError(detail=message, code="invalid_json")


def _refuse_constant(name):
    raise ValueError(_("%(name)s is not a JSON number.") % {"name": name})


def json_loads_bounded(text: str, limit: int = MAX_DEPTH):
    """`json.loads` that refuses nesting deeper than `limit` and NaN/Infinity; raises ValueError with a
    sentence people read."""
    too_deep = _("The JSON body nests deeper than %(n)s levels.") % {"n": limit}
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError:  # nesting deep enough to exhaust the parser's stack: never a 500
        raise ValueError(too_deep) from None
    if json_depth_exceeds(value, limit):
        raise ValueError(too_deep)
    return value


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
