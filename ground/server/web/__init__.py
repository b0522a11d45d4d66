"""The web ground station: pages served by `ground serve` on its listen address (routes.py), a
live feed per browser with its own bounded queue (feed.py), the command history from the archive
(history.py) and the refusal of cross-site requests (origin.py). The page's scripts are in
static/; its one library, uPlot, is installed from npm (package.json) by `npm ci`."""

from .origin import SameOriginOnly
from .routes import web_routes

__all__ = ["SameOriginOnly", "web_routes"]
