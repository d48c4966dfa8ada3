"""Alerts: saved searches in the filter language that notify by webhook, Atom feed and server-sent events.

* :func:`install` makes a store match every newly stored article against the alerts (inside its transaction);
* :class:`AlertService` delivers the webhooks from the persistent outbox (start/stop it with the app or crawler);
* :func:`verify_signature` is what a webhook receiver uses to check a request.
"""

from mahalle_news.alerts.delivery import verify_signature
from mahalle_news.alerts.matcher import Matcher, install
from mahalle_news.alerts.service import AlertService

__all__ = ["AlertService", "Matcher", "install", "verify_signature"]
