import gc
import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
django_asgi_app = get_asgi_application()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.urls import get_resolver, path  # noqa: E402

from apps.live.consumers import LiveConsumer  # noqa: E402

websocket_urls = [path("ws/", LiveConsumer.as_asgi())]

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urls))),
    }
)

# What is loaded by now lives as long as the process: freeze it, so that the cyclic GC's full
# collections skip it. They traversed it all, ~100 ms every few large requests (the module list).
get_resolver().url_patterns  # noqa: B018  (imports the views now, so that they are frozen too)
gc.collect()
gc.freeze()
