"""The API's JSON renderer: orjson (REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"]).

Renders what DRF's JSONRenderer renders, byte for byte where clients could tell: UTF-8, compact, datetimes in UTC
with `Z`, lazy strings as strings; anything else orjson does not know goes to DRF's own encoder.
Lists of plain dicts from `values()` (core.api.ValuesListMixin) are rendered without a serializer in between, and
a `RawJSON` (JSON text the database already wrote) is put into the output as it is."""

import json

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_OPTIONS = orjson.OPT_UTC_Z | orjson.OPT_NON_STR_KEYS


class RawJSON:
    """A value that is already JSON text, str or UTF-8 bytes (a well-formed one: it is not checked), rendered as
    that text."""

    __slots__ = ("text",)

    def __init__(self, text: str | bytes):
        self.text = text

    def __repr__(self):
        return f"RawJSON({self.text[:60]!r})"


class _Encoder(JSONEncoder):
    """DRF's encoder (lazy strings, timedelta, QuerySet, ...), which also reads a RawJSON back into values: the
    path of pretty output (`; indent=`) and of the browsable API."""

    def default(self, obj):
        if type(obj) is RawJSON:
            return json.loads(obj.text)
        return super().default(obj)


_fallback = _Encoder()


def _default(obj):
    if type(obj) is RawJSON:
        return orjson.Fragment(obj.text)
    return _fallback.default(obj)


def dumps(data) -> bytes:
    try:
        return orjson.dumps(data, default=_default, option=_OPTIONS)
    except TypeError:  # orjson writes no integer beyond 64 bits: DRF's encoder does, as its JSONRenderer would
        return json.dumps(data, cls=_Encoder, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


class OrjsonRenderer(JSONRenderer):
    encoder_class = _Encoder

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        indent = self.get_indent(accepted_media_type or "", renderer_context or {})
        if indent:  # a person asked for pretty output (`; indent=`): DRF's path
            return super().render(data, accepted_media_type, renderer_context)
        return dumps(data)
