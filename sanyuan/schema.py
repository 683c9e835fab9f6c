"""OpenAPI post-processing: every operation documents the error answers it may give, in the
shapes of `sanyuan.api` (`{"field": ["…"]}` for input, `{"detail", "code"}` otherwise)."""

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
    "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
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
