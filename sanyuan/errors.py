"""Domain errors raised by services; the API and the pages translate them to responses.

Messages are Chinese, written for the person in front of the screen.
"""


class ServiceError(Exception):
    """Invalid input or a broken rule: 400. `field` ties the message to one input."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code


class FieldErrors(ServiceError):
    """Several inputs are wrong at once: 400 with every message, `{field: [messages]}`."""

    def __init__(self, errors: dict[str, list[str]]):
        first_field, messages = next(iter(errors.items()))
        super().__init__(messages[0], field=first_field)
        self.errors = errors


class StateConflict(ServiceError):
    """The action no longer fits the object's state: 409."""

    status_code = 409

    def __init__(self, message: str, *, code: str = "conflict"):
        super().__init__(message, code=code)


class RateLimited(ServiceError):
    """Too many attempts: 429."""

    status_code = 429

    def __init__(self, message: str = "操作过于频繁，请稍后再试。", *, retry_after: int = 60):
        super().__init__(message, code="throttled")
        self.retry_after = retry_after
