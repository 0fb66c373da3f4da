"""Kindred seen by an attacker (issue 16, points 1, 3, 4 and 8): each test tries what a reviewer tried.

- Network: nothing but the gateway listens beyond 127.0.0.1; the action server refuses callers without
  the action secret; the secrets are independent, and none is on a command line (`ps`).
- Secrets and files: after a whole Telegram conversation (against the local fake Bot API) no log file
  holds a secret or a resident's words; `var/` is 0700 and every file in it 0600.
- No 500: the public HTTP API is fuzzed with Hypothesis against the running assistant.
- Headers and tokens: CSP, HSTS, no-store, and web chat tokens in a header that expire.

The first part runs the gateway alone (Rasa unreachable); the last runs the whole assistant once, with
Telegram in webhook mode, and shares it between its tests.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import logging
import re
import stat
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
import yaml
from aiohttp.test_utils import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

import logfilter
import settings as settings_module
from bot.app import init_app
from bot.keys import SESSIONS, SETTINGS
from bot.models import AppSetting, Conversation
from bot.validation import ALLOWED_PAYLOADS
from launcher.fake_telegram import TOKEN, FakeTelegram
from launcher.stack import Stack, isolated_env
from settings import ACTION_SECRET_HEADER
from tests.helpers import CSRF_FIELD, bearer, free_port

ORIGIN = "http://127.0.0.1:8080"
STATIC = Path(__file__).resolve().parent.parent / "bot" / "static"
TEMPLATES = Path(__file__).resolve().parent.parent / "bot" / "staff" / "templates"


def gateway_config(var: Path, **extra: str) -> settings_module.Settings:
    """Settings for a gateway of its own, Rasa unreachable."""
    return settings_module.load(
        {
            "KINDRED_VAR": str(var),
            "RASA_PORT": str(free_port()),
            "ACTION_PORT": str(free_port()),
            "SAFETY_NET_SECONDS": "30",
            "PUBLIC_ORIGINS": ORIGIN,
            **extra,
        }
    )


@pytest.fixture
async def client(aiohttp_client, tmp_path: Path) -> TestClient:
    return await aiohttp_client(init_app(gateway_config(tmp_path)))


async def new_token(client: TestClient) -> str:
    response = await client.post("/api/chat/session", json={})
    assert response.status == 201
    return (await response.json())["token"]


# --- secrets and files ---------------------------------------------------------------------------


def test_secrets_are_independent_and_generated_private(tmp_path: Path) -> None:
    var = tmp_path / "var"
    config = settings_module.load({"KINDRED_VAR": str(var)})
    secrets = [config.secret, config.rasa_token, config.action_secret]
    assert len(set(secrets)) == 3 and all(len(s) >= 32 for s in secrets)
    # The Rasa token used to be the first 24 characters of the callback secret.
    assert config.secret[:24] not in config.rasa_token and config.rasa_token[:24] not in config.secret
    for name in ("secret", "rasa-token", "action-secret"):
        assert stat.S_IMODE((var / name).stat().st_mode) == 0o600
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    # Read back, not generated again; and the environment wins.
    again = settings_module.load({"KINDRED_VAR": str(var), "RASA_TOKEN": "from-the-environment-0123456789"})
    assert again.secret == config.secret and again.rasa_token == "from-the-environment-0123456789"


def test_the_launcher_keeps_secrets_off_command_lines_and_out_of_reach(model: Path, tmp_path: Path) -> None:
    var = tmp_path / "var"
    var.mkdir(mode=0o755)
    var.chmod(0o755)  # as older versions left it
    stack = Stack(model, isolated_env(var, TELEGRAM_TOKEN=TOKEN), echo=False)
    s = stack.settings
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    for child in stack.children:
        command = " ".join(child.cmd)
        for secret in s.log_secrets.values():
            assert secret not in command, child.name
    assert "rasa_sdk" not in stack.child("actions").cmd  # rasa_sdk's own CLI listens on 0.0.0.0
    endpoints = var / "run" / "endpoints.yml"
    assert stat.S_IMODE(endpoints.stat().st_mode) == 0o600
    assert stat.S_IMODE((var / "run" / "credentials.yml").stat().st_mode) == 0o600
    action_endpoint = yaml.safe_load(endpoints.read_text())["action_endpoint"]
    assert action_endpoint["headers"] == {ACTION_SECRET_HEADER: s.action_secret}


@pytest.fixture
def clean_logging() -> Iterator[None]:
    """Put back what `logfilter.install` changes, so other tests log as before."""
    factory, hook, thread_hook = logging.getLogRecordFactory(), sys.excepthook, threading.excepthook
    yield
    logging.setLogRecordFactory(factory)
    sys.excepthook, threading.excepthook = hook, thread_hook


def test_the_log_filter_redacts_messages_arguments_urls_and_tracebacks(clean_logging: None) -> None:
    token = "123456:ABC-secret/token+x"
    logfilter.install({"telegram token": token, "rasa token": "rasa-token-value", "empty": ""})
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    logger = logging.getLogger("tests.security.filter")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        logger.info("HTTP Request: POST https://api.telegram.org/bot%s/getUpdates", token)
        logger.info("quoted: %s", quote(token, safe=""))
        logger.info({"token": "rasa-token-value"})
        try:
            raise RuntimeError(f"could not reach /status?token=rasa-token-value with {token}")
        except RuntimeError:
            logger.exception("failed")
        logger.info("%s %s", "too few arguments")
    finally:
        logger.removeHandler(handler)
    text = out.getvalue()
    assert token not in text and "rasa-token-value" not in text and quote(token, safe="") not in text
    assert "bot[redacted telegram token]/getUpdates" in text and "[redacted rasa token]" in text
    assert "RuntimeError" in text and "could not be formatted" in text


# --- no 500 for what a client can send -----------------------------------------------------------


async def test_a_non_ascii_callback_secret_is_not_found_not_a_crash(client: TestClient) -> None:
    response = await client.post("/rasa/callback/été-ünïcode", json={"recipient_id": "x", "text": "hi"})
    assert response.status == 404


async def test_a_non_ascii_telegram_secret_is_refused_not_a_crash(aiohttp_client, tmp_path: Path) -> None:
    async with FakeTelegram() as fake:
        port = free_port()
        config = gateway_config(
            tmp_path,
            KINDRED_PORT=str(port),
            TELEGRAM_TOKEN=TOKEN,
            TELEGRAM_MODE="webhook",
            TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}",
            TELEGRAM_API_URL=fake.base_url,
        )
        client = await aiohttp_client(init_app(config))
        update = fake.update(message=fake.message(5550001, "hello"))
        headers = {"X-Telegram-Bot-Api-Secret-Token": "sécret"}
        assert (await client.post("/telegram/webhook", json=update, headers=headers)).status == 403
        right = {"X-Telegram-Bot-Api-Secret-Token": config.telegram_secret}
        nested = "[" * 100_000 + "]" * 100_000
        response = await client.post("/telegram/webhook", data=nested, headers=right)
        assert response.status in (400, 413)
        # Found by the fuzzer below: python-telegram-bot raised on a list where a message belongs.
        for wrong in ({"update_id": 1, "message": []}, {"update_id": 2, "message": {"date": 10**20}}):
            assert (await client.post("/telegram/webhook", json=wrong, headers=right)).status == 400


async def test_a_non_ascii_form_token_is_refused_not_a_crash(client: TestClient) -> None:
    # Found by the fuzzer below: the console compared the CSRF token with hmac.compare_digest on text.
    form = {"csrf": "\u0080é", "username": "sam", "password": "x" * 12}
    response = await client.post("/staff/login", data=form, headers={"Accept": "text/html"})
    assert 400 <= response.status < 500


async def test_deeply_nested_json_gets_a_kind_answer(client: TestClient) -> None:
    token = await new_token(client)
    nested = '{"text": ' + "[" * 20_000 + "]" * 20_000 + "}"
    headers = {"Content-Type": "application/json"} | bearer(token)
    response = await client.post("/api/chat/messages", data=nested, headers=headers)
    assert response.status == 400 and "garbled" in (await response.json())["error"]
    secret = client.app[SETTINGS].secret
    response = await client.post(f"/rasa/callback/{secret}", data=nested, headers={"Content-Type": "application/json"})
    assert response.status == 400


async def test_a_huge_history_position_is_read_as_everything(client: TestClient) -> None:
    token = await new_token(client)
    for after in ("99999999999999999999999", "-5", "1e9", "9" * 5000):
        response = await client.get("/api/chat/history", params={"after": after}, headers=bearer(token))
        assert response.status == 200, after


# --- headers and tokens --------------------------------------------------------------------------


async def test_every_page_has_a_script_src_self_policy(client: TestClient) -> None:
    for path in ("/", "/static/chat.js", "/api/chat/history", "/staff/login", "/no-such-page"):
        response = await client.get(path, headers={"Accept": "text/html"})
        policy = response.headers.get("Content-Security-Policy", "")
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy, (path, policy)
        assert "frame-ancestors" in policy


def test_no_page_or_template_has_an_inline_script() -> None:
    pages = [*STATIC.glob("*.html"), *TEMPLATES.glob("*.html")]
    assert pages
    for page in pages:
        html = page.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE):
            assert re.search(r"\bsrc=", tag), f"inline <script> in {page.name}"
        assert not re.search(r"\son[a-z]+\s*=", html, flags=re.IGNORECASE), f"an on...= handler in {page.name}"
        assert "javascript:" not in html.lower(), page.name


async def test_hsts_only_over_https_said_by_a_trusted_proxy_or_the_public_url(aiohttp_client, tmp_path: Path) -> None:
    forwarded = {"X-Forwarded-Proto": "https"}
    plain = await aiohttp_client(init_app(gateway_config(tmp_path / "a")))
    assert "Strict-Transport-Security" not in (await plain.get("/")).headers
    # Anyone can send the header; it counts only from a proxy we trust.
    assert "Strict-Transport-Security" not in (await plain.get("/", headers=forwarded)).headers
    proxied = await aiohttp_client(init_app(gateway_config(tmp_path / "b", TRUSTED_PROXIES="127.0.0.1")))
    assert "Strict-Transport-Security" not in (await proxied.get("/")).headers
    assert (await proxied.get("/", headers=forwarded)).headers["Strict-Transport-Security"].startswith("max-age=")
    public = await aiohttp_client(init_app(gateway_config(tmp_path / "c", PUBLIC_URL="https://chat.example.org")))
    assert "max-age=31536000" in (await public.get("/api/chat/history")).headers["Strict-Transport-Security"]


async def test_chat_api_answers_are_never_cached(client: TestClient) -> None:
    session = await client.post("/api/chat/session", json={})
    token = (await session.json())["token"]
    sent = await client.post("/api/chat/messages", json={"text": "my name is Rosemary"}, headers=bearer(token))
    history = await client.get("/api/chat/history", headers=bearer(token))
    refused = await client.get("/api/chat/history")
    for response in (session, sent, history, refused):
        assert response.headers["Cache-Control"] == "no-store", response.url


async def test_the_chat_token_goes_in_a_header_never_a_url_or_body(client: TestClient) -> None:
    token = await new_token(client)
    in_url = await client.get("/api/chat/history", params={"token": token})
    assert in_url.status == 401 and "reload" in (await in_url.json())["error"].lower()
    in_body = await client.post("/api/chat/messages", json={"token": token, "text": "hello"})
    assert in_body.status == 401
    assert (await client.get("/api/chat/history", headers={"Authorization": f"Basic {token}"})).status == 401
    assert (await client.get("/api/chat/history", headers=bearer(token))).status == 200
    socket = await client.ws_connect("/api/chat/ws", params={"token": token}, headers={"Origin": ORIGIN})
    await socket.send_json({"token": "not-the-token"})
    refused = await socket.receive_json(timeout=5)
    assert refused["type"] == "error" and "reload" in refused["error"].lower()
    await socket.receive(timeout=5)
    assert socket.close_code == 4404
    socket = await client.ws_connect("/api/chat/ws", headers={"Origin": ORIGIN})
    await socket.send_json({"token": token})
    assert (await socket.receive_json(timeout=5))["type"] == "ready"
    await socket.close()


async def test_a_chat_token_unused_for_the_retention_period_stops_working(client: TestClient) -> None:
    token = await new_token(client)
    assert (await client.post("/api/chat/messages", json={"text": "hello"}, headers=bearer(token))).status == 202

    def idle_for(days: int) -> None:
        with client.app[SESSIONS].begin() as session:
            when = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None) - dt.timedelta(days=days)
            session.execute(update(Conversation).values(last_active_at=when))

    idle_for(364)
    assert (await client.get("/api/chat/history", headers=bearer(token))).status == 200
    idle_for(366)
    expired = await client.get("/api/chat/history", headers=bearer(token))
    assert expired.status == 401 and "365 days without use" in (await expired.json())["error"]
    # The console's retention setting wins over the configured one.
    with client.app[SESSIONS].begin() as session:
        session.add(AppSetting(name="retention_days", value="30"))
    idle_for(31)
    refused = await client.post("/api/chat/messages", json={"text": "hello again"}, headers=bearer(token))
    assert refused.status == 401 and "30 days" in (await refused.json())["error"]


# --- the whole assistant, Telegram in webhook mode -----------------------------------------------

CHAT = 5550016
PRIVATE_WORDS = "my budgie Percival sings Verdi at dawn"


class BackgroundLoop:
    """An event loop in a thread, for the fake Bot API while synchronous tests drive the stack."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coroutine, timeout: float = 180):  # noqa: ANN001, ANN201 - any coroutine
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


# The running assistant, the fake Bot API it talks to, and the loop that fake runs in.
Assistant = tuple[Stack, FakeTelegram, BackgroundLoop]


@pytest.fixture(scope="module")
def assistant(model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Assistant]:
    """The whole assistant, with Telegram in webhook mode against the fake Bot API, after one conversation."""
    background = BackgroundLoop()
    fake = FakeTelegram()
    background.run(fake.__aenter__())
    port = free_port()
    env = isolated_env(
        tmp_path_factory.mktemp("security"),
        KINDRED_PORT=str(port),
        TELEGRAM_TOKEN=TOKEN,
        TELEGRAM_MODE="webhook",
        TELEGRAM_WEBHOOK_URL=f"http://127.0.0.1:{port}",
        TELEGRAM_API_URL=fake.base_url,
    )
    stack = Stack(model, env, echo=False)
    try:
        stack.start()
        background.run(fake.send(fake.update(message=fake.message(CHAT, "/start"))))
        background.run(fake.wait_for_text(CHAT, "not a person", timeout=120))
        background.run(fake.send(fake.update(message=fake.message(CHAT, PRIVATE_WORDS))))
        background.run(fake.wait_for_text(CHAT, "", timeout=60, after=len(fake.sent(CHAT))))
        yield stack, fake, background
    finally:
        stack.stop()
        background.run(fake.__aexit__(None, None, None))
        background.close()


def listening(port: int) -> set[str]:
    """The local addresses with a socket listening on `port` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if fields[3] == "0A" and int(hex_port, 16) == port:  # 0A: LISTEN
                raw = bytes.fromhex(address)
                if len(raw) == 4:
                    found.add(".".join(str(b) for b in reversed(raw)))
                else:
                    words = [raw[i : i + 4][::-1].hex() for i in range(0, 16, 4)]
                    found.add(":".join(words))
    return found


@pytest.mark.stack
def test_nothing_listens_beyond_loopback(assistant: Assistant) -> None:
    stack = assistant[0]
    s = stack.settings
    for port in (s.action_port, s.rasa_port, s.port):
        assert listening(port) == {"127.0.0.1"}, port


@pytest.mark.stack
def test_the_action_server_answers_only_kindreds_rasa(assistant: Assistant) -> None:
    s = assistant[0].settings
    call = {
        "next_action": "action_show_profile",
        "sender_id": "web-someone",
        "version": "3.6.2",
        "tracker": {"sender_id": "web-someone", "slots": {}, "latest_message": {}, "events": [], "paused": False},
        "domain": {},
    }
    for headers in ({}, {ACTION_SECRET_HEADER: "guess"}, {ACTION_SECRET_HEADER: s.rasa_token}):
        response = requests.post(s.action_url, json=call, headers=headers, timeout=10)
        assert response.status_code == 403 and "web-someone" not in response.text
    assert requests.get(s.action_url.replace("/webhook", "/actions"), timeout=10).status_code == 403
    # With the secret the call reaches rasa_sdk (an action that does not exist, so nothing runs).
    unknown = call | {"next_action": "action_that_does_not_exist"}
    allowed = requests.post(s.action_url, json=unknown, headers={ACTION_SECRET_HEADER: s.action_secret}, timeout=30)
    assert allowed.status_code == 404 and "action_that_does_not_exist" in allowed.text


def command_lines(root_pids: list[int]) -> list[str]:
    """The command lines of these processes and all their descendants, as `ps` shows them."""
    children: dict[int, list[int]] = {}
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(status.parent.name))
    lines, todo = [], list(root_pids)
    while todo:
        pid = todo.pop()
        try:
            lines.append((Path("/proc") / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode())
        except OSError:
            continue
        todo.extend(children.get(pid, []))
    return lines


@pytest.mark.stack
def test_no_secret_on_any_command_line(assistant: Assistant) -> None:
    stack = assistant[0]
    lines = command_lines([c.process.pid for c in stack.children if c.process])
    assert len(lines) >= 3 and any("launcher.rasa_server" in line for line in lines)
    for secret in stack.settings.log_secrets.values():
        assert not any(secret in line for line in lines)


@pytest.mark.stack
def test_var_is_private_and_so_is_every_file_in_it(assistant: Assistant) -> None:
    var = assistant[0].settings.var
    assert stat.S_IMODE(var.stat().st_mode) == 0o700
    files = [p for p in var.rglob("*") if not p.is_symlink()]
    names = {p.name for p in files}
    assert {"kindred.db", "rasa-tracker.db", "gateway.log", "actions.log", "rasa-rasa.log", "endpoints.yml"} <= names
    wide = [f"{p} {oct(stat.S_IMODE(p.stat().st_mode))}" for p in files if stat.S_IMODE(p.stat().st_mode) & 0o077]
    assert wide == []


@pytest.mark.stack
def test_no_secret_and_no_residents_words_in_any_log(assistant: Assistant) -> None:
    stack, fake, _ = assistant
    assert any(c.method == "getMe" or c.method == "setWebhook" for c in fake.calls)
    logs = {p.name: p.read_text(encoding="utf-8", errors="replace") for p in (stack.settings.var / "log").glob("*.log")}
    assert {"gateway.log", "actions.log", "rasa.log", "rasa-rasa.log"} <= set(logs)
    # httpx logs every Bot API URL at INFO: the token in it is replaced, so the line is still there.
    assert "bot[redacted telegram token]/" in logs["gateway.log"]
    secrets = stack.settings.log_secrets
    assert {"telegram token", "rasa token", "callback secret", "action secret", "telegram webhook secret"} <= set(
        secrets
    )
    for name, text in logs.items():
        for label, secret in secrets.items():
            assert secret not in text and quote(secret, safe="") not in text, (name, label)
        assert "Percival" not in text, name


# Hypothesis fuzzing of the public HTTP API ---------------------------------------------------------


def json_containers(inner: st.SearchStrategy) -> st.SearchStrategy:
    """Lists and objects of `inner`, for `st.recursive`."""
    return st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40), json_containers, max_leaves=12
)
# What a header can carry (Latin-1, no line breaks; requests refuses leading spaces).
HEADER_TEXT = st.text(
    st.characters(min_codepoint=0x20, max_codepoint=0xFF, exclude_characters="\x7f"), max_size=60
).map(str.strip)
BODY = st.one_of(
    JSON.map(lambda value: json.dumps(value).encode()),
    st.binary(max_size=300),
    st.integers(min_value=900, max_value=60_000).map(lambda n: ("[" * n + "]" * n).encode()),
    st.integers(min_value=900, max_value=30_000).map(lambda n: ('{"a":' * n + "1" + "}" * n).encode()),
    st.fixed_dictionaries(
        {},
        optional={
            "text": st.one_of(st.text(max_size=200), JSON),
            "payload": st.one_of(st.sampled_from(sorted(ALLOWED_PAYLOADS)), st.text(max_size=40), JSON),
            "title": st.one_of(st.text(max_size=40), JSON),
            "location": st.one_of(st.fixed_dictionaries({"latitude": JSON, "longitude": JSON}), JSON),
            "token": st.text(max_size=40),
        },
    ).map(lambda value: json.dumps(value).encode()),
)
CONTENT_TYPE = st.sampled_from(
    ["application/json", "text/plain", "application/x-www-form-urlencoded", "multipart/form-data", "", "x/\u00e9"]
)
QUERY = st.dictionaries(st.sampled_from(["after", "wait", "token", "next"]), st.text(max_size=30), max_size=3)


@st.composite
def requests_to_the_gateway(draw: st.DrawFn, token: str, secret: str, telegram_secret: str) -> tuple:
    """A request a client could send to any public part of the gateway: (method, path, headers, query, body)."""
    headers = {"Content-Type": draw(CONTENT_TYPE)}
    auth = draw(st.sampled_from(["none", "right", "random"]))
    if auth == "right":
        headers["Authorization"] = f"Bearer {token}"
    elif auth == "random":
        headers["Authorization"] = draw(HEADER_TEXT)
    target = draw(
        st.sampled_from(["session", "messages", "history", "socket", "callback", "telegram", "login", "staff", "any"])
    )
    method, body = "POST", draw(BODY)
    if target == "session":
        path = "/api/chat/session"
    elif target == "messages":
        path = "/api/chat/messages"
    elif target == "history":
        method, path = "GET", "/api/chat/history"
    elif target == "socket":
        method, path = "GET", "/api/chat/ws"
        headers["Origin"] = draw(st.sampled_from([ORIGIN, "https://evil.example", ""]))
    elif target == "callback":
        guess = draw(st.one_of(st.just(secret), st.text(min_size=1, max_size=60)))
        path = "/rasa/callback/" + quote(guess, safe="")
        if guess == secret and draw(st.booleans()):
            shaped = {"recipient_id": draw(st.one_of(st.text(max_size=20), JSON)), "text": draw(JSON)}
            body = json.dumps(
                shaped | draw(st.dictionaries(st.sampled_from(["buttons", "custom", "image"]), JSON))
            ).encode()
    elif target == "telegram":
        path = "/telegram/webhook"
        headers["X-Telegram-Bot-Api-Secret-Token"] = draw(st.one_of(st.just(telegram_secret), HEADER_TEXT))
        if draw(st.booleans()):
            update_body = {"update_id": draw(st.integers(min_value=-(2**70), max_value=2**70))}
            update_body |= draw(st.dictionaries(st.sampled_from(["message", "callback_query", "edited_message"]), JSON))
            body = json.dumps(update_body).encode()
    elif target == "login":
        path = "/staff/login"
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        fields = draw(st.dictionaries(st.sampled_from(["csrf", "username", "password", "next"]), st.text(max_size=60)))
        body = "&".join(f"{quote(k)}={quote(v)}" for k, v in fields.items()).encode()
    elif target == "staff":
        method = draw(st.sampled_from(["GET", "POST"]))
        path = "/staff/" + "/".join(
            quote(p, safe="") for p in draw(st.lists(st.text(min_size=1, max_size=12), max_size=3))
        )
    else:
        method = draw(st.sampled_from(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"]))
        path = "/" + quote(draw(st.text(max_size=30)), safe="/")
    return method, path, headers, draw(QUERY), body


@pytest.mark.stack
def test_fuzzed_requests_never_cause_a_server_error(assistant: Assistant) -> None:
    stack = assistant[0]
    s = stack.settings
    base = s.gateway_url
    log = stack.settings.var / "log" / "gateway.log"
    already = log.stat().st_size
    http = requests.Session()
    token = http.post(f"{base}/api/chat/session", json={}, timeout=10).json()["token"]
    began = time.monotonic()
    seen: list[tuple[str, str, int]] = []

    @settings(
        max_examples=300,
        deadline=None,
        derandomize=False,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        database=None,
    )
    @given(request=requests_to_the_gateway(token, s.secret, s.telegram_secret))
    def one(request: tuple) -> None:
        method, path, headers, query, body = request
        if time.monotonic() - began > 90:
            return  # bounded in time on a loaded machine; the examples so far were tried
        response = http.request(method, base + path, headers=headers, params=query, data=body, timeout=30)
        seen.append((method, path, response.status_code))
        assert response.status_code < 500, (method, path, headers, query, body[:300], response.text[:300])

    one()
    assert len(seen) >= 50
    assert {path.split("/")[2] for _, path, _ in seen if path.startswith("/api/")} >= {"chat"}
    written = log.read_bytes()[already:].decode("utf-8", "replace")
    assert "Traceback" not in written and "unexpected error" not in written, written[-3000:]


CONSOLE_FORMS = [
    "/staff/conversations/{conversation}/open",
    "/staff/conversations/{conversation}/claim",
    "/staff/conversations/{conversation}/reply",
    "/staff/conversations/{conversation}/notes",
    "/staff/conversations/{conversation}/hand-back",
    "/staff/conversations/{conversation}/resolve",
    "/staff/queue/abuse",
    "/staff/admin/users",
    "/staff/admin/users/{number}",
    "/staff/admin/settings",
    "/staff/admin/canned",
    "/staff/admin/canned/{number}/delete",
    "/staff/directory/flags/{number}",
    "/staff/directory/services/{word}",
    "/staff/directory/services/{word}/checked",
]
CONSOLE_PAGES = ["/staff/queue", "/staff/queue/rows", "/staff/admin/audit", "/staff/directory", "/staff/reports"]
FORM_FIELDS = ["csrf", "reason", "text", "note", "outcome", "escalation_id", "status", "risk", "channel", "days",
               "username", "display_name", "password", "roles", "title", "body", "name", "description", "postcode",
               "q", "page", "before", "source", "action"]  # fmt: skip


@pytest.mark.stack
def test_fuzzed_console_forms_never_cause_a_server_error(assistant: Assistant) -> None:
    """Signed in as an admin, every console form gets whatever a browser (or a person with curl) could send."""
    from sqlalchemy.orm import Session

    from bot.staff.users import create_user
    from database import make_engine

    stack = assistant[0]
    base = stack.settings.gateway_url
    log = stack.settings.var / "log" / "gateway.log"
    already = log.stat().st_size
    engine = make_engine(stack.settings.app_database_url)
    with Session(engine) as session, session.begin():
        create_user(session, "fuzzer", "Fuzz Tester", "a long enough password 16", ["staff", "editor", "admin"])
        conversation = session.scalars(select(Conversation.id)).first()
    engine.dispose()
    http = requests.Session()
    login = http.get(f"{base}/staff/login", headers={"Accept": "text/html"}, timeout=10)
    form = {
        "csrf": CSRF_FIELD.search(login.text).group(1),
        "username": "fuzzer",
        "password": "a long enough password 16",
    }
    signed_in = http.post(
        f"{base}/staff/login", data=form | {"next": "/staff/queue"}, timeout=30, allow_redirects=False
    )
    assert signed_in.status_code == 303, signed_in.text
    csrf = CSRF_FIELD.search(http.get(f"{base}/staff/queue", headers={"Accept": "text/html"}, timeout=10).text).group(1)
    began, seen = time.monotonic(), []
    values = st.one_of(st.text(max_size=80), st.integers(-(2**70), 2**70).map(str), st.sampled_from(["", "0", "-1"]))

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
    @given(
        target=st.sampled_from(CONSOLE_FORMS + CONSOLE_PAGES),
        fields=st.dictionaries(st.sampled_from(FORM_FIELDS), values, max_size=5),
        word=st.text(min_size=1, max_size=20),
        number=st.one_of(st.integers(-5, 10**20), st.text(min_size=1, max_size=8)),
        real_csrf=st.booleans(),
        real_conversation=st.booleans(),
    )
    def one(target: str, fields: dict, word: str, number: object, real_csrf: bool, real_conversation: bool) -> None:
        if time.monotonic() - began > 60:
            return
        path = target.format(
            conversation=quote(conversation if real_conversation and conversation else word, safe=""),
            number=quote(str(number), safe=""),
            word=quote(word, safe=""),
        )
        if target in CONSOLE_PAGES:
            response = http.get(base + path, params=fields, headers={"Accept": "text/html"}, timeout=30)
        else:
            fields = fields | ({"csrf": csrf} if real_csrf else {})
            response = http.post(base + path, data=fields, timeout=30, allow_redirects=False)
        seen.append((path, response.status_code))
        assert response.status_code < 500, (path, fields, response.text[:300])

    one()
    assert len(seen) >= 30
    written = log.read_bytes()[already:].decode("utf-8", "replace")
    assert "Traceback" not in written and "unexpected error" not in written, written[-3000:]
