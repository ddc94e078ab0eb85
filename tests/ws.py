"""WebSocket test clients of /ws/ over the real channels_redis layer, logged in as a user (or not)."""

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from apps.accounts.models import User
from project.asgi import application

HEADERS = [(b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1:8000")]


def session_cookie(user: User) -> bytes:
    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}".encode()


async def connect(user: User | None) -> WebsocketCommunicator:
    """A connected client; `None` connects anonymously (the server then closes it with 4401)."""
    headers = list(HEADERS)
    if user is not None:
        headers.append((b"cookie", await database_sync_to_async(session_cookie)(user)))
    communicator = WebsocketCommunicator(application, "/ws/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def listen(user: User, *topics: str) -> WebsocketCommunicator:
    """A connected client of `user`, subscribed to `topics` (each acknowledged)."""
    communicator = await connect(user)
    for topic in topics:
        await communicator.send_json_to({"action": "subscribe", "topic": topic})
        assert (await communicator.receive_json_from(timeout=3))["type"] == "subscribed"
    return communicator
