from celery import shared_task


@shared_task(name="sanyuan.ping", acks_late=True, ignore_result=False)
def ping_task(token: str) -> str:
    """A round trip through the broker to a worker and back through the result backend."""
    return f"pong:{token}"
