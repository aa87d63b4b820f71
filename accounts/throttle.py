"""Counters in time windows, shared by all processes: in the database, or in Redis with REDIS_URL."""

import datetime
import ipaddress
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import limits
from accounts.models import Throttle


@dataclass(frozen=True)
class Count:
    count: int
    previous_at: datetime.datetime | None  # the event before the one just counted (hit) or the last one (peek)
    window_ends: datetime.datetime | None


NOTHING = Count(0, None, None)


class DatabaseStore:
    def hit(self, key, window):
        """Count one more event under `key` and return the new count, atomically across processes.

        A window older than `window` seconds starts again. The row is locked while it is read and
        written (on SQLite the IMMEDIATE transaction locks the database), so parallel requests each
        get their own count and none slips under a limit.
        """
        now = timezone.now()
        length = datetime.timedelta(seconds=window)
        with transaction.atomic():
            row = Throttle.objects.select_for_update().filter(key=key).first()
            if row is None:
                try:
                    with transaction.atomic():
                        Throttle.objects.create(key=key, window_start=now, count=1, last_at=now)
                    return Count(1, None, now + length)
                except IntegrityError:  # another process created it first: count on its row
                    row = Throttle.objects.select_for_update().get(key=key)
            previous = row.last_at
            if row.window_start <= now - length:
                row.window_start, row.count, previous = now, 0, None
            row.count += 1
            row.last_at = now
            row.save(update_fields=["window_start", "count", "last_at"])
        return Count(row.count, previous, row.window_start + length)

    def refund(self, key):
        """Take back one counted event (an attempt that turned out to be fine)."""
        Throttle.objects.filter(key=key, count__gt=0).update(count=F("count") - 1)

    def peek(self, key, window):
        row = Throttle.objects.filter(key=key).values("count", "last_at", "window_start").first()
        if row is None or row["window_start"] <= timezone.now() - datetime.timedelta(seconds=window):
            return NOTHING
        return Count(row["count"], row["last_at"], row["window_start"] + datetime.timedelta(seconds=window))

    def reset(self, key):
        Throttle.objects.filter(key=key).delete()

    def prune(self, older_than):
        return Throttle.objects.filter(last_at__lt=timezone.now() - older_than).delete()[0]


# One atomic step in Redis: start a new window when there is none or it is over, then count;
# returns the new count and the time of the event before.
HIT_SCRIPT = """
local start = redis.call('HGET', KEYS[1], 'start')
local previous = redis.call('HGET', KEYS[1], 'last') or ''
if (not start) or (tonumber(start) <= tonumber(ARGV[1]) - tonumber(ARGV[2])) then
  redis.call('DEL', KEYS[1])
  redis.call('HSET', KEYS[1], 'start', ARGV[1])
  redis.call('EXPIRE', KEYS[1], ARGV[2])
  previous = ''
end
local count = redis.call('HINCRBY', KEYS[1], 'count', 1)
redis.call('HSET', KEYS[1], 'last', ARGV[1])
return {count, previous, redis.call('HGET', KEYS[1], 'start')}
"""
REFUND_SCRIPT = """
local count = tonumber(redis.call('HGET', KEYS[1], 'count') or '0')
if count > 0 then redis.call('HINCRBY', KEYS[1], 'count', -1) end
"""


def _as_time(timestamp):
    return datetime.datetime.fromtimestamp(float(timestamp), tz=datetime.UTC)


class RedisStore:
    def __init__(self, url):
        import redis

        self.redis = redis.Redis.from_url(url)
        self._hit = self.redis.register_script(HIT_SCRIPT)
        self._refund = self.redis.register_script(REFUND_SCRIPT)

    def hit(self, key, window):
        count, previous, start = self._hit(keys=[key], args=[timezone.now().timestamp(), window])
        return Count(int(count), _as_time(previous) if previous else None, _as_time(float(start) + window))

    def refund(self, key):
        self._refund(keys=[key])

    def peek(self, key, window):
        values = self.redis.hgetall(key)
        if not values or float(values[b"start"]) <= timezone.now().timestamp() - window:
            return NOTHING
        return Count(int(values[b"count"]), _as_time(values[b"last"]), _as_time(float(values[b"start"]) + window))

    def reset(self, key):
        self.redis.delete(key)

    def prune(self, older_than):
        return 0  # Redis expires its keys itself


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


def ip_key(ip):
    """The part of an address one client controls: the address for IPv4, its /64 network for IPv6
    (a single customer line gets a whole /64, so per-address IPv6 limits would not limit anyone)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        if address.ipv4_mapped:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


class LoginAttempt:
    """One try of a customer's password, counted *before* the password is checked.

    Counting first, atomically, means parallel tries each see their own count, so none slips past
    the limits of accounts.limits; a try that succeeds is taken back.
    """

    def __init__(self, request, *, region, number, sub_code):
        ip = ip_key(client_ip(request))
        self.ip_key = f"login-ip:{ip}"
        self.code_key = f"login:{region.slug}:{number}-{sub_code}:{ip}"

    def refusal(self):
        """Why this try may not even be checked, or None."""
        per_ip = store().hit(self.ip_key, limits.FAILED_LOGINS_PER_IP.window)
        if per_ip.count > limits.FAILED_LOGINS_PER_IP.limit:
            return _("Zbyt wiele nieudanych logowań z Twojej sieci. Spróbuj za godzinę.")
        rule = limits.FAILED_LOGINS_PER_CUSTOMER_IP
        attempt = store().hit(self.code_key, rule.window)
        now = timezone.now()
        if attempt.count > rule.limit:
            minutes = math.ceil((attempt.window_ends - now).total_seconds() / 60)
            return _("Logowanie na ten kod jest zablokowane na %(m)d min.") % {"m": minutes}
        wait = limits.delay_after(attempt.count - 1)
        waited = (now - attempt.previous_at).total_seconds() if attempt.previous_at else wait
        if waited < wait:
            return _("Odczekaj %(s)d s przed kolejną próbą.") % {"s": math.ceil(wait - waited)}
        return None

    def succeeded(self):
        store().refund(self.ip_key)
        store().reset(self.code_key)
