"""SMS fan-out through the fake gateways with the batch APIs: a helper for the notices
benchmark (never a test; timings are not asserted anywhere).

    python -c "from tests.fakes.bench import sms_batch_benchmark; print(sms_batch_benchmark())"
"""

import time

from sanyuan.sms.aliyun import AliyunBackend, AliyunConfig
from sanyuan.sms.base import Outcome, SmsRecipient
from sanyuan.sms.tencent import TencentBackend, TencentConfig

from .aliyun_sms import FakeAliyunSms
from .tencent_sms import FakeTencentSms

SIGN = "三原县委组织部"
TEMPLATES = {"notice": {"code": "SMS_NOTICE", "params": {"title": None}}}


def recipients(n: int, *, same_params: bool) -> list[SmsRecipient]:
    title = "关于开展七月主题党日活动的通知"
    return [
        SmsRecipient(
            phone=f"139{i:08d}",
            params={"title": title if same_params else f"第{i}号活动通知"},
            out_id=f"notice-1-member-{i}-sms",
        )
        for i in range(n)
    ]


def _timed(backend, batch) -> float:
    started = time.perf_counter()
    results = backend.send_batch("notice", batch)
    elapsed = time.perf_counter() - started
    failed = [r for r in results if r.outcome != Outcome.SENT]
    if failed:
        raise RuntimeError(f"{len(failed)} messages not sent: {failed[0]}")
    return elapsed


def sms_batch_benchmark(n: int = 10_000, *, same_params: bool = True) -> dict[str, float]:
    """Seconds to send `n` notices through each fake (Aliyun: SendSms by 1,000 when the
    parameters are equal, SendBatchSms by 100 otherwise; Tencent: SendSms by 200)."""
    batch = recipients(n, same_params=same_params)
    figures = {}
    with FakeAliyunSms() as fake:
        fake.add_template("SMS_NOTICE", {"title": 35})
        state = fake.state
        config = AliyunConfig(
            state.access_key_id, state.access_key_secret, endpoint=fake.endpoint, protocol="http"
        )
        backend = AliyunBackend(config=config, sign_name=SIGN, templates=TEMPLATES)
        figures["aliyun_seconds"] = _timed(backend, batch)
        figures["aliyun_calls"] = len(state.calls)
    with FakeTencentSms() as fake:
        fake.add_template("SMS_NOTICE", [12])
        state = fake.state
        config = TencentConfig(
            state.secret_id,
            state.secret_key,
            state.sdk_app_id,
            endpoint=fake.endpoint,
            protocol="http",
        )
        backend = TencentBackend(config=config, sign_name=SIGN, templates=TEMPLATES)
        figures["tencent_seconds"] = _timed(backend, batch)
        figures["tencent_calls"] = len(state.calls)
    return figures
