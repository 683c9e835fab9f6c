"""A local WeChat API for tests: a real HTTP server on a free port speaking the documented
endpoints the site uses, and refusing what WeChat refuses.

    POST /cgi-bin/stable_token             access_token (normal and force_refresh modes)
    GET  /sns/oauth2/access_token          网页授权 code → openid (+ unionid)
    GET  /sns/jscode2session               mini-program wx.login() code → openid, session_key
    POST /cgi-bin/message/subscribe/send   mini-program subscribe message

What it refuses, with WeChat's errcodes: an unknown appid (40013) or a wrong secret (40125);
a code that is unknown, of another app or older than five minutes (40029) or used before
(40163); an unknown or replaced access_token (40001), an expired one (42001), one of the
other app (48001); a message to an openid that is no user of the mini-program (40003), with
a template the mini-program did not add to its 我的模板 (40037), with data that misses a
keyword or breaks its limits (47003), or to a user without a subscription left (43101: one
accepted subscription allows one message, per app, user and template). On demand:
any errcode once or several times (45009, 45011, 40014, -1 …), a slow answer, expired tokens,
a user's unionid per app (`set_unionid`).

Plain Python (no pytest import), so scripts and subprocesses can use it too.
"""

import itertools
import json
import re
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

CODE_SECONDS = 300  # a code works once, within five minutes
FORCE_SPACING_SECONDS = 30  # a second force_refresh within 30 s does not refresh
FORCE_PER_DAY = 20
HANDOVER_SECONDS = 300  # normal mode hands out a new token in the old one's last 5 minutes

ERRMSG = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40013: "invalid appid",
    40014: "invalid access_token",
    40029: "invalid code",
    40037: "invalid template_id",
    40066: "invalid url",
    40125: "invalid appsecret",
    40163: "code been used",
    41001: "access_token missing",
    41002: "appid missing",
    41004: "appsecret missing",
    41008: "missing code",
    41030: "invalid page",
    42001: "access_token expired",
    43001: "require GET method",
    43002: "require POST method",
    43101: "user refuse to accept the msg",
    45009: "reach max api daily quota limit",
    45011: "api minute-quota reach limit mustslower retry next minute",
    47001: "data format error",
    47003: "argument invalid!",
    48001: "api unauthorized",
}

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# WeChat's 订阅消息参数值内容限制说明, one rule per keyword type.
KEYWORD_RULES = {
    "thing": lambda v: len(v) <= 20,
    "number": lambda v: len(v) <= 32 and re.fullmatch(r"\d+(\.\d+)?", v),
    "letter": lambda v: re.fullmatch(r"[A-Za-z]{1,32}", v),
    "symbol": lambda v: re.fullmatch(rf"[^\w\s{HAN}]{{1,5}}", v),
    "character_string": lambda v: len(v) <= 32 and not re.search(f"[{HAN}]", v),
    "time": lambda v: re.search(r"\d{1,2}:\d{2}", v) and len(v) <= 40,
    "date": lambda v: re.search(r"\d", v) and len(v) <= 40,
    "amount": lambda v: re.fullmatch(r"[¥￥$]?\d{1,10}(\.\d+)?元?", v),
    "phone_number": lambda v: re.fullmatch(r"[\d+\-() ]{1,17}", v),
    "car_number": lambda v: len(v) <= 8,
    "name": lambda v: len(v) <= (10 if re.search(f"[{HAN}]", v) else 20),
    "phrase": lambda v: re.fullmatch(f"[{HAN}]{{1,5}}", v),
}


class Refusal(Exception):
    def __init__(self, errcode: int, detail: str = ""):
        super().__init__(errcode)
        self.errcode = errcode
        self.errmsg = f"{ERRMSG.get(errcode, 'error')}{detail}"


@dataclass
class App:
    kind: str  # "mp" or "mini"
    secret: str


@dataclass
class Code:
    app_id: str
    openid: str
    unionid: str | None
    issued_at: float
    scope: str = "snsapi_base"
    snapshot: bool = False
    used: bool = False


@dataclass
class Token:
    app_id: str
    expires_at: float
    revoked: bool = False


class FakeWechat:
    def __init__(self, *, token_lifetime: int = 7200):
        self.token_lifetime = token_lifetime
        self.lock = threading.RLock()
        self.offset = 0.0
        self.apps: dict[str, App] = {}
        self.codes: dict[str, Code] = {}
        self.tokens: dict[str, Token] = {}
        self.current: dict[str, str] = {}  # app id → the token normal mode hands out
        self.forced_at: dict[str, list[float]] = {}
        self.users: set[tuple[str, str]] = set()  # (app id, openid)
        # (app id, openid) → the user's unionid in that app: set for an app bound to an
        # open-platform account (`set_unionid`); codes of that user carry it.
        self.unionids: dict[tuple[str, str], str] = {}
        self.templates: dict[str, list[str]] = {}  # template id → its keywords
        self.app_templates: dict[str, set[str]] = {}  # app id → template ids it added
        # (app id, openid, template id) → messages allowed
        self.subscriptions: Counter = Counter()
        self.pages: set[str] | None = None  # None: any page is accepted
        self.sent: list[dict] = []
        self.calls: Counter = Counter()  # path → requests received
        self.force_refresh_calls = 0
        self.failures: dict[str, list[int]] = {}
        self.delays: dict[str, float] = {}
        self._ids = itertools.count(1)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # Setting the scene -------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def stable_token_calls(self) -> int:
        return self.calls["/cgi-bin/stable_token"]

    def now(self) -> float:
        return time.time() + self.offset

    def advance(self, seconds: float) -> None:
        """Let time pass for codes and tokens (the client's cache is not touched)."""
        with self.lock:
            self.offset += seconds

    def add_app(self, kind: str, app_id: str, secret: str) -> None:
        self.apps[app_id] = App(kind=kind, secret=secret)

    def set_unionid(self, app_id: str, openid: str, unionid: str) -> None:
        """WeChat knows this user's unionid in `app_id` (the app is bound to an open-platform
        account; the same person has the same unionid in every app bound to it). Codes issued
        for the user without a unionid of their own carry it, as WeChat answers: always in
        jscode2session, only for scope snsapi_userinfo in the 网页授权 exchange."""
        with self.lock:
            self.unionids[(app_id, openid)] = unionid

    def _code(self, app_id: str, openid: str, unionid: str | None, **extra) -> str:
        code = secrets.token_hex(16)
        with self.lock:
            unionid = unionid or self.unionids.get((app_id, openid))
            self.codes[code] = Code(app_id, openid, unionid, self.now(), **extra)
            self.users.add((app_id, openid))
        return code

    def issue_oauth_code(
        self,
        app_id: str,
        openid: str,
        unionid: str | None = None,
        *,
        scope: str = "snsapi_base",
        snapshot: bool = False,
    ) -> str:
        """The code WeChat's authorisation redirect would hand the site for this user. As
        documented, the exchange answers unionid only for scope snsapi_userinfo, and
        is_snapshotuser=1 for a page opened in snapshot mode."""
        return self._code(app_id, openid, unionid, scope=scope, snapshot=snapshot)

    def issue_js_code(self, app_id: str, openid: str, unionid: str | None = None) -> str:
        """The code wx.login() would give the mini-program for this user."""
        return self._code(app_id, openid, unionid)

    def add_template(
        self, template_id: str, keywords: list[str], app_id: str | None = None
    ) -> None:
        """A template the mini-program `app_id` (default: every mini-program app known so far)
        picked from the library into 我的模板, with its keywords (thing1, time2 …)."""
        self.templates[template_id] = list(keywords)
        apps = [app_id] if app_id else [a for a, app in self.apps.items() if app.kind == "mini"]
        for app in apps:
            self.app_templates.setdefault(app, set()).add(template_id)

    def subscribe(self, app_id: str, openid: str, template_id: str, times: int = 1) -> None:
        """The user accepted wx.requestSubscribeMessage `times` times: that many messages."""
        with self.lock:
            self.users.add((app_id, openid))
            self.subscriptions[(app_id, openid, template_id)] += times

    def remaining(self, app_id: str, openid: str, template_id: str) -> int:
        with self.lock:
            return self.subscriptions[(app_id, openid, template_id)]

    def expire_tokens(self) -> None:
        """Every access_token issued so far expires now (42001 from then on)."""
        with self.lock:
            for token in self.tokens.values():
                token.expires_at = min(token.expires_at, self.now())

    def revoke_tokens(self) -> None:
        """Every current token is refused (40001) while normal mode still hands it out until
        it expires: the state only force_refresh gets out of."""
        with self.lock:
            for token in self.tokens.values():
                token.revoked = True

    def fail_next(self, path: str, errcode: int, times: int = 1) -> None:
        """The next `times` requests to `path` get `errcode` (45009, 45011, -1, 40014 …)."""
        with self.lock:
            self.failures.setdefault(path, []).extend([errcode] * times)

    def slow(self, path: str, seconds: float) -> None:
        """Requests to `path` are answered only after `seconds` (until set back to 0)."""
        self.delays[path] = seconds

    # Serving -----------------------------------------------------------------------------

    def start(self) -> "FakeWechat":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> "FakeWechat":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    def _handler_class(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self._answer("GET")

            def do_POST(self):
                self._answer("POST")

            def _answer(self, method: str) -> None:
                parts = urlsplit(self.path)
                query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
                if parts.path == "/connect/oauth2/authorize" and method == "GET":
                    status, location, text = fake.authorize(query)
                    self.send_response(status)
                    if location:
                        self.send_header("Location", location)
                    data = text.encode("utf-8")
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                answer = fake.handle(method, parts.path, query, body)
                data = json.dumps(answer, ensure_ascii=False).encode("utf-8")
                try:
                    self.send_response(200)  # WeChat answers errors with 200 and an errcode
                    self.send_header("Content-Type", "application/json; encoding=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (its timeout)

            def log_message(self, *args):
                pass

        return Handler

    # WeChat's browser page of 网页授权 (open.weixin.qq.com): the person WeChat knows in the
    # browser (set `browser_user`) goes back to redirect_uri with a fresh code and the state.
    browser_user: tuple[str, str | None] | None = None
    # The 网页授权域名 the account registered: WeChat refuses any other redirect_uri host
    # ("redirect_uri域名与后台配置不一致", 10003). Empty: nothing registered, everything refused.
    oauth_domains: frozenset[str] = frozenset()

    def authorize(self, query: dict) -> tuple[int, str, str]:
        app_id = query.get("appid", "")
        if app_id not in self.apps:
            return 400, "", "appid 参数错误"
        if query.get("response_type") != "code":
            return 400, "", "response_type 参数错误"
        scope = query.get("scope")
        if scope not in ("snsapi_base", "snsapi_userinfo"):
            return 400, "", "scope 参数错误"
        redirect_uri = query.get("redirect_uri", "")
        if not redirect_uri.startswith(("http://", "https://")):
            return 400, "", "redirect_uri 参数错误"
        if urlsplit(redirect_uri).hostname not in self.oauth_domains:
            return 400, "", "redirect_uri域名与后台配置不一致 10003"
        if self.browser_user is None:
            return 400, "", "请在微信客户端打开链接"
        openid, unionid = self.browser_user
        code = self.issue_oauth_code(app_id, openid, unionid, scope=scope)
        joiner = "&" if "?" in redirect_uri else "?"
        state = query.get("state", "")
        return 302, f"{redirect_uri}{joiner}code={code}&state={state}", ""

    ROUTES = {
        "/cgi-bin/stable_token": ("POST", "_stable_token"),
        "/sns/oauth2/access_token": ("GET", "_oauth_access_token"),
        "/sns/jscode2session": ("GET", "_jscode2session"),
        "/cgi-bin/message/subscribe/send": ("POST", "_subscribe_send"),
    }

    def handle(self, method: str, path: str, query: dict, body: bytes) -> dict:
        with self.lock:
            self.calls[path] += 1
        if self.delays.get(path):
            time.sleep(self.delays[path])
        try:
            if path not in self.ROUTES:
                raise Refusal(40066)
            wanted, handler = self.ROUTES[path]
            if method != wanted:
                raise Refusal(43001 if wanted == "GET" else 43002)
            with self.lock:
                if self.failures.get(path):
                    raise Refusal(self.failures[path].pop(0))
                return getattr(self, handler)(query, body)
        except Refusal as refusal:
            rid = secrets.token_hex(4)
            return {"errcode": refusal.errcode, "errmsg": f"{refusal.errmsg} rid: {rid}"}

    # The endpoints (called with self.lock held) --------------------------------------------

    def _credentials(self, app_id: str | None, secret: str | None) -> App:
        if not app_id:
            raise Refusal(41002)
        app = self.apps.get(app_id)
        if app is None:
            raise Refusal(40013)
        if not secret:
            raise Refusal(41004)
        if secret != app.secret:
            raise Refusal(40125)
        return app

    def _json(self, body: bytes) -> dict:
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise Refusal(47001) from None
        if not isinstance(data, dict):
            raise Refusal(47001)
        return data

    def _stable_token(self, query: dict, body: bytes) -> dict:
        data = self._json(body)
        if data.get("grant_type") != "client_credential":
            raise Refusal(40002)
        self._credentials(data.get("appid"), data.get("secret"))
        app_id, force = data["appid"], data.get("force_refresh", False)
        if not isinstance(force, bool):
            raise Refusal(47001)
        if force:
            self.force_refresh_calls += 1
            return self._forced_token(app_id)
        current = self.tokens.get(self.current.get(app_id, ""))
        if current is None or current.expires_at - self.now() <= HANDOVER_SECONDS:
            return self._new_token(app_id)
        return self._token_answer(self.current[app_id])

    def _forced_token(self, app_id: str) -> dict:
        now = self.now()
        recent = [t for t in self.forced_at.get(app_id, []) if now - t < 86400]
        if recent and now - recent[-1] < FORCE_SPACING_SECONDS and app_id in self.current:
            return self._token_answer(self.current[app_id])  # too soon: not refreshed
        if len(recent) >= FORCE_PER_DAY:
            raise Refusal(45009)
        self.forced_at[app_id] = [*recent, now]
        previous = self.tokens.get(self.current.get(app_id, ""))
        if previous is not None:
            previous.revoked = True  # force mode invalidates the last token at once
        return self._new_token(app_id)

    def _new_token(self, app_id: str) -> dict:
        token = f"TOKEN-{next(self._ids)}-{secrets.token_hex(8)}"
        self.tokens[token] = Token(app_id, self.now() + self.token_lifetime)
        self.current[app_id] = token
        return self._token_answer(token)

    def _token_answer(self, token: str) -> dict:
        remaining = round(self.tokens[token].expires_at - self.now())
        return {"access_token": token, "expires_in": max(remaining, 0)}

    def _spend_code(self, app_id: str, code: str | None) -> Code:
        if not code:
            raise Refusal(41008)
        found = self.codes.get(code)
        if found is None or found.app_id != app_id:
            raise Refusal(40029)
        if found.used:
            raise Refusal(40163)
        if self.now() - found.issued_at > CODE_SECONDS:
            raise Refusal(40029)
        found.used = True
        return found

    def _oauth_access_token(self, query: dict, body: bytes) -> dict:
        self._credentials(query.get("appid"), query.get("secret"))
        if query.get("grant_type") != "authorization_code":
            raise Refusal(40002)
        code = self._spend_code(query["appid"], query.get("code"))
        answer = {
            "access_token": f"WEB-{secrets.token_hex(8)}",
            "expires_in": 7200,
            "refresh_token": f"REFRESH-{secrets.token_hex(8)}",
            "openid": code.openid,
            "scope": code.scope,
        }
        if code.unionid and code.scope == "snsapi_userinfo":
            answer["unionid"] = code.unionid
        if code.snapshot:
            answer["is_snapshotuser"] = 1
        return answer

    def _jscode2session(self, query: dict, body: bytes) -> dict:
        self._credentials(query.get("appid"), query.get("secret"))
        if query.get("grant_type") != "authorization_code":
            raise Refusal(40002)
        code = self._spend_code(query["appid"], query.get("js_code"))
        answer = {"openid": code.openid, "session_key": secrets.token_urlsafe(16)}
        if code.unionid:
            answer["unionid"] = code.unionid
        return answer

    def _check_token(self, value: str | None, kind: str) -> str:
        if not value:
            raise Refusal(41001)
        token = self.tokens.get(value)
        if token is None or token.revoked:
            raise Refusal(40001)
        if token.expires_at <= self.now():
            raise Refusal(42001)
        if self.apps[token.app_id].kind != kind:
            raise Refusal(48001)
        return token.app_id

    def _subscribe_send(self, query: dict, body: bytes) -> dict:
        app_id = self._check_token(query.get("access_token"), "mini")
        data = self._json(body)
        openid, template_id = data.get("touser"), data.get("template_id")
        if not openid or (app_id, openid) not in self.users:
            raise Refusal(40003)
        if template_id not in self.app_templates.get(app_id, ()):
            raise Refusal(40037)
        page = data.get("page")
        if page and self.pages is not None and page.split("?")[0] not in self.pages:
            raise Refusal(41030)
        if data.get("miniprogram_state", "formal") not in ("developer", "trial", "formal"):
            raise Refusal(47003, " miniprogram_state")
        self._check_data(self.templates[template_id], data.get("data"))
        if self.subscriptions[(app_id, openid, template_id)] <= 0:
            raise Refusal(43101)
        self.subscriptions[(app_id, openid, template_id)] -= 1
        self.sent.append(data)
        return {"errcode": 0, "errmsg": "ok", "msgid": next(self._ids)}

    def _check_data(self, keywords: list[str], values) -> None:
        if not isinstance(values, dict):
            raise Refusal(47003, " data")
        for keyword in keywords:
            item = values.get(keyword)
            value = item.get("value") if isinstance(item, dict) else None
            if not isinstance(value, str) or not value:
                raise Refusal(47003, f" data.{keyword}.value is empty")
            rule = KEYWORD_RULES.get(re.sub(r"\d+$", "", keyword))
            if rule is not None and not rule(value):
                raise Refusal(47003, f" data.{keyword}.value invalid")
