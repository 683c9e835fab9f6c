"""What every app's pages share for forms: a service's error shown on the form."""

from .errors import FieldErrors, ServiceError


def add_service_error(form, exc: ServiceError) -> int:
    """Put a service's message(s) on the form, on the field it names when the form has that
    field (every message of a FieldErrors), else on the whole form. Returns the status code
    to answer with (400, 409, 429)."""
    errors = exc.errors if isinstance(exc, FieldErrors) else {exc.field: [exc.message]}
    for field, messages in errors.items():
        target = field if field in form.fields else None
        for message in messages:
            form.add_error(target, message)
    return exc.status_code
