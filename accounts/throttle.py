"""Counters in time windows, shared by all processes: in the database, or in Redis with REDIS_URL."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import Throttle


@dataclass(frozen=True)
class Count:
    count: int
    last_at: datetime.datetime | None
    window_ends: datetime.datetime | None


NOTHING = Count(0, None, None)


class DatabaseStore:
    def hit(self, key, window):
        """Count one more event under `key`; a window older than `window` seconds starts again."""
        now = timezone.now()
        fresh = now - datetime.timedelta(seconds=window)
        updated = Throttle.objects.filter(key=key, window_start__gt=fresh).update(count=F("count") + 1, last_at=now)
        if not updated:
            try:
                with transaction.atomic():
                    Throttle.objects.update_or_create(
                        key=key, defaults={"window_start": now, "count": 1, "last_at": now}
                    )
            except IntegrityError:  # another process created it first: count on its row
                Throttle.objects.filter(key=key).update(count=F("count") + 1, last_at=now)
        return self.peek(key, window)

    def peek(self, key, window):
        row = Throttle.objects.filter(key=key).values("count", "last_at", "window_start").first()
        if row is None or row["window_start"] <= timezone.now() - datetime.timedelta(seconds=window):
            return NOTHING
        return Count(row["count"], row["last_at"], row["window_start"] + datetime.timedelta(seconds=window))

    def reset(self, key):
        Throttle.objects.filter(key=key).delete()


# One atomic step in Redis: start a new window when there is none or it is over, then count.
HIT_SCRIPT = """
local start = redis.call('HGET', KEYS[1], 'start')
if (not start) or (tonumber(start) <= tonumber(ARGV[1]) - tonumber(ARGV[2])) then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'start', ARGV[1])
  redis.call('EXPIRE', KEYS[1], ARGV[2])
end
redis.call('HINCRBY', KEYS[1], 'count', 1)
redis.call('HSET', KEYS[1], 'last', ARGV[1])
"""


class RedisStore:
    def __init__(self, url):
        import redis

        self.redis = redis.Redis.from_url(url)
        self._hit = self.redis.register_script(HIT_SCRIPT)

    def hit(self, key, window):
        self._hit(keys=[key], args=[timezone.now().timestamp(), window])
        return self.peek(key, window)

    def peek(self, key, window):
        values = self.redis.hgetall(key)
        if not values:
            return NOTHING
        start = float(values[b"start"])
        as_time = lambda ts: datetime.datetime.fromtimestamp(ts, tz=datetime.UTC)  # noqa: E731
        if start <= timezone.now().timestamp() - window:
            return NOTHING
        return Count(int(values[b"count"]), as_time(float(values[b"last"])), as_time(start + window))

    def reset(self, key):
        self.redis.delete(key)


_store = None


def store():
    global _store
    if _store is None:
        url = getattr(settings, "REDIS_URL", "")
        _store = RedisStore(url) if url else DatabaseStore()
    return _store


def client_ip(request):
    """REMOTE_ADDR, or the address the outermost of TRUSTED_PROXIES proxies saw.

    Each trusted proxy appends the address it received the request from to X-Forwarded-For, so with
    N trusted proxies the client is the N-th entry from the right; anything to its left was written
    by the client and is ignored. With no trusted proxies the header is ignored entirely.
    """
    proxies = settings.TRUSTED_PROXIES
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "")
