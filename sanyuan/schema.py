"""OpenAPI post-processing: every operation documents the error answers it may give, in the
shapes of `sanyuan.api` (`{"field": ["…"]}` for input, `{"detail", "code"}` otherwise)."""

from drf_spectacular.openapi import AutoSchema as _AutoSchema

ERROR_DETAIL = {
    "type": "object",
    "description": "与具体字段无关的错误：中文说明与机器可读的代码。",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
    },
    "required": ["detail"],
}
_MESSAGES = {"type": "array", "items": {"anyOf": [{"type": "string"}, {"type": "object"}]}}
FIELD_ERRORS = {
    "type": "object",
    "description": '输入有误：`{"字段": ["中文说明", …]}`，与字段无关的错误在 `detail`（附 `code`）。',
    "properties": {
        "detail": {"anyOf": [{"type": "string"}, _MESSAGES]},
        "code": {"anyOf": [{"type": "string"}, _MESSAGES]},
    },
    "additionalProperties": {"anyOf": [_MESSAGES, {"type": "object"}, {"type": "string"}]},
}

ERRORS = {
    "400": ("FieldErrors", "输入无效（中文说明，按字段）。"),
    "401": ("ErrorDetail", "未登录或凭据无效、已过期。"),
    "403": ("ErrorDetail", "当前账号的身份不能使用此接口。"),
    "404": ("ErrorDetail", "对象不存在或不在您的范围内。"),
    "405": ("ErrorDetail", "不支持的请求方法。"),
    "406": ("ErrorDetail", "不支持请求的返回格式（Accept）。"),
    "409": ("ErrorDetail", "对象状态已变化，操作不再适用。"),
    "413": ("ErrorDetail", "提交的内容过大。"),
    "415": ("ErrorDetail", "不支持的提交格式（Content-Type）。"),
    "429": ("ErrorDetail", "操作过于频繁或登录已被暂时锁定。"),
}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def document_error_responses(result, generator, request, public):
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ErrorDetail", ERROR_DETAIL)
    schemas.setdefault("FieldErrors", FIELD_ERRORS)
    for operations in result.get("paths", {}).values():
        for method, operation in operations.items():
            if method not in WRITE_METHODS | {"get"}:
                continue
            responses = operation.setdefault("responses", {})
            for answer in responses.values():
                # Protected files are served with their own type (PDF, JPEG …).
                content = answer.get("content", {})
                if "application/octet-stream" in content:
                    content["*/*"] = content.pop("application/octet-stream")
            for status, (schema, description) in ERRORS.items():
                if status in ("409", "413", "415") and method not in WRITE_METHODS:
                    continue
                responses.setdefault(
                    status,
                    {
                        "description": description,
                        "content": {"application/json": {"schema": _ref(schema)}},
                    },
                )
    return result


class AutoSchema(_AutoSchema):
    """drf-spectacular's AutoSchema, truthful about blank values the API really sends:
    read-only choice fields of model fields with blank=True may be "" (DRF drops allow_blank
    from read-only fields), and URL fields that may be blank are plain strings."""

    def _model_field(self, field):
        parent = getattr(field, "parent", None)
        model = getattr(getattr(parent, "Meta", None), "model", None)
        source = getattr(field, "source", None)
        if model is None or not source or "." in source:
            return None
        try:
            return model._meta.get_field(source)
        except Exception:  # a property or a reverse relation: nothing to learn
            return None

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        from rest_framework import serializers

        model_field = self._model_field(field)
        blank = bool(getattr(field, "allow_blank", False)) or bool(
            model_field is not None and getattr(model_field, "blank", False)
        )
        if (
            isinstance(field, serializers.ChoiceField)
            and field.read_only
            and blank
            and not field.allow_blank
        ):
            field.allow_blank = True
        return super()._map_serializer_field(field, direction, bypass_extensions)

    def _map_basic_serializer(self, serializer, direction):
        """Fields a serializer leaves out for some viewers (`OMITTED_FOR_SOME_VIEWERS`) are
        documented but not required."""
        result = super()._map_basic_serializer(serializer, direction)
        omitted = set(getattr(serializer, "OMITTED_FOR_SOME_VIEWERS", ()))
        if omitted and "required" in result:
            result["required"] = [name for name in result["required"] if name not in omitted]
            if not result["required"]:
                del result["required"]
        return result

    def _insert_field_validators(self, field, schema):
        super()._insert_field_validators(field, schema)
        model_field = self._model_field(field)
        blank = bool(getattr(field, "allow_blank", False)) or bool(
            model_field is not None and getattr(model_field, "blank", False)
        )
        if schema.get("format") == "uri" and blank:
            del schema["format"]
            schema["description"] = (schema.get("description", "") + " 可为空字符串。").strip()


def keyset_page_serializer(name: str, item):
    """The schema of a keyset list's envelope `{next, previous, results}` (`sanyuan.keyset`),
    for views that build that envelope themselves."""
    from rest_framework import serializers

    return type(
        name,
        (serializers.Serializer,),
        {
            "next": serializers.CharField(allow_null=True),
            "previous": serializers.CharField(allow_null=True),
            "results": item(many=True),
        },
    )
