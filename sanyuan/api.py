"""What every API shares: the error format, pagination and schema helpers.

Errors: `{"field": ["中文说明", ...]}` for input tied to a field, `{"detail": "中文说明",
"code": "machine_code"}` otherwise (DESIGN.md, "The API contract").
"""

from functools import cached_property

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.http import Http404
from rest_framework import exceptions, pagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .errors import FieldErrors, RateLimited, ServiceError


def _django_validation_detail(exc: DjangoValidationError) -> dict:
    if hasattr(exc, "error_dict"):
        out = {}
        for field, messages in exc.message_dict.items():
            key = "detail" if field == "__all__" else field
            out.setdefault(key, []).extend(messages)
        return out
    return {"detail": list(exc.messages)}


def _flatten(detail) -> dict:
    """DRF's nested ErrorDetail structures as plain JSON in our shape."""
    if isinstance(detail, dict):
        out = {}
        for key, value in detail.items():
            if key in ("non_field_errors", "__all__"):
                key = "detail"
            out[key] = _flatten_value(value)
        if isinstance(out.get("detail"), list):
            out["detail"] = "；".join(str(item) for item in out["detail"])
        return out
    if isinstance(detail, list):
        return {"detail": "；".join(str(item) for item in detail)}
    return {"detail": str(detail)}


def _flatten_value(value):
    if isinstance(value, dict):
        return {key: _flatten_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [
            _flatten_value(item) if isinstance(item, dict | list) else str(item) for item in value
        ]
    return [str(value)]


def exception_handler(exc, context):
    if isinstance(exc, FieldErrors):
        return Response(
            {field: list(messages) for field, messages in exc.errors.items()}, status=400
        )
    if isinstance(exc, ServiceError):
        if exc.field:
            body = {exc.field: [exc.message]}
        else:
            body = {"detail": exc.message, "code": exc.code}
        headers = {}
        if isinstance(exc, RateLimited):
            headers["Retry-After"] = str(exc.retry_after)
        return Response(body, status=exc.status_code, headers=headers)
    if isinstance(exc, DjangoValidationError):
        detail = _django_validation_detail(exc)
        if isinstance(detail.get("detail"), list):
            detail["detail"] = "；".join(detail["detail"])
        return Response(detail, status=400)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        # Services say in Chinese why a tier may not act; keep that (else DRF's default).
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = _flatten(exc.detail)
    elif isinstance(exc, exceptions.APIException):
        response.data = {"detail": str(exc.detail), "code": exc.get_codes()}
        if not isinstance(response.data["code"], str):
            response.data["code"] = exc.default_code
    return response


class CappedCountPaginator(Paginator):
    """Counts at most COUNT_CAP rows: a staff list over a province would otherwise count a
    million rows on every page. Beyond the cap, `count` is the cap and `count_capped` says so
    (narrow the filters to see an exact figure)."""

    COUNT_CAP = 2_000

    def page(self, number):
        """Page 1 of a short list (a search, a small branch) needs no COUNT query: fetch one
        row more than a page, and if that is all there is, it is the count."""
        if str(number) == "1" and "count" not in self.__dict__:
            rows = list(self.object_list[: self.per_page + 1])
            if len(rows) <= self.per_page:
                self.__dict__["count"] = len(rows)
                self.capped = False
            else:
                self.count  # noqa: B018 - a full first page: the count query runs, the rows are reused
            return self._get_page(rows[: self.per_page], 1, self)
        return super().page(number)

    @cached_property
    def count(self) -> int:
        # Without ORDER BY the database may stop at the first COUNT_CAP + 1 rows it meets.
        # Only the primary key: the joined columns of select_related are not read for a count.
        counted = self.object_list.order_by().values("pk")[: self.COUNT_CAP + 1].count()
        self.capped = counted > self.COUNT_CAP
        return min(counted, self.COUNT_CAP)


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
    invalid_page_message = "页码无效。"
    django_paginator_class = CappedCountPaginator

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_capped"] = bool(getattr(self.page.paginator, "capped", False))
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_capped"] = {
            "type": "boolean",
            "description": "count 达到上限（2000）时为 true：请缩小筛选范围查看确切数量。",
        }
        return schema
