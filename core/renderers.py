"""The API's JSON renderer: orjson (REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"]).

Renders what DRF's JSONRenderer renders, byte for byte where clients could tell: UTF-8, compact, datetimes in UTC
with `Z`, lazy strings as strings; anything else orjson does not know goes to DRF's own encoder.
Lists of plain dicts from `values()` (core.api.ValuesListMixin) are rendered without a serializer in between."""

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS
_fallback = JSONEncoder()


def _default(obj):
    return _fallback.default(obj)  # lazy strings, timedelta, QuerySet, ... as DRF renders them


def dumps(data) -> bytes:
    return orjson.dumps(data, default=_default, option=_OPTIONS)


class OrjsonRenderer(JSONRenderer):
    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        indent = self.get_indent(accepted_media_type or "", renderer_context or {})
        if indent:  # a person asked for pretty output (`; indent=`): DRF's path
            return super().render(data, accepted_media_type, renderer_context)
        return dumps(data)
