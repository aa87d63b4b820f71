"""Counters in time windows, shared by all processes: in the database, or in Redis with REDIS_URL."""

import datetime
import ipaddress
import math
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, F, When
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import ngettext

from accounts import limits
from accounts.models import Throttle


@dataclass(frozen=True)
class Count:
    count: int
    previous_at: datetime.datetime | None  # the event before the one just counted (hit) or the last one (peek)
    window_ends: datetime.datetime | None
    at: datetime.datetime | None = None  # when the event was counted (hit only): refund() needs it


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
                    return Count(1, None, now + length, now)
                except IntegrityError:  # another process created it first: count on its row
                    row = Throttle.objects.select_for_update().get(key=key)
            previous = row.last_at
            if row.window_start <= now - length:
                row.window_start, row.count, previous = now, 0, None
            row.count += 1
            row.last_at = now
            row.save(update_fields=["window_start", "count", "last_at"])
        return Count(row.count, previous, row.window_start + length, now)

    def refund(self, key, counted=None):
        """Take back one counted event (an attempt that turned out to be fine, or was refused).

        With `counted`, what hit() returned, the time of the event before it is put back as well, so
        a refused try does not restart a wait; unless another event has been counted since, which
        keeps its own time. One UPDATE, so it is atomic like hit().
        """
        last_at = F("last_at")
        if counted is not None and counted.previous_at is not None:
            last_at = Case(When(last_at=counted.at, then=counted.previous_at), default=F("last_at"))
        Throttle.objects.filter(key=key, count__gt=0).update(count=F("count") - 1, last_at=last_at)

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
# Take back one event; ARGV[1] is when it was counted, ARGV[2] the time of the one before ('' if none),
# put back unless another event has been counted since.
REFUND_SCRIPT = """
local count = tonumber(redis.call('HGET', KEYS[1], 'count') or '0')
if count > 0 then
  redis.call('HINCRBY', KEYS[1], 'count', -1)
  if ARGV[2] ~= '' and redis.call('HGET', KEYS[1], 'last') == ARGV[1] then
    redis.call('HSET', KEYS[1], 'last', ARGV[2])
  end
end
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
        now = timezone.now()
        count, previous, start = self._hit(keys=[key], args=[now.timestamp(), window])
        return Count(int(count), _as_time(previous) if previous else None, _as_time(float(start) + window), now)

    def refund(self, key, counted=None):
        at, previous = "", ""
        if counted is not None and counted.previous_at is not None:
            at, previous = counted.at.timestamp(), counted.previous_at.timestamp()
        self._refund(keys=[key], args=[at, previous])

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


def ipv6_48(ip):
    """The /48 network of an IPv6 client (throttle.IpLimit counts it too), else None."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return None
    if address.version != 6 or address.ipv4_mapped:
        return None
    return str(ipaddress.ip_network(f"{address}/48", strict=False))


def seconds_until(moment):
    """Whole seconds from now until `moment`, rounded up: waiting that long is always enough."""
    return max(1, math.ceil((moment - timezone.now()).total_seconds()))


def wait_text(seconds):
    """ "Spróbuj ponownie za …": in seconds up to two minutes, then in minutes (rounded up)."""
    if seconds < 120:
        return ngettext("Spróbuj ponownie za %(n)d s.", "Spróbuj ponownie za %(n)d s.", seconds) % {"n": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("Spróbuj ponownie za %(n)d min.", "Spróbuj ponownie za %(n)d min.", minutes) % {"n": minutes}


@dataclass(frozen=True)
class Refusal:
    """Why a request is over a limit, and how long until it would not be (Retry-After, in seconds)."""

    message: str
    retry_after: int

    def respond(self, request, template, context=None):
        """The 429 page: `template` gets `message` and `retry_after`; the header says the same wait."""
        context = {"message": self.message, "retry_after": self.retry_after, **(context or {})}
        response = render(request, template, context, status=429)
        response["Retry-After"] = str(self.retry_after)
        return response


class Limit:
    """One rule of accounts.limits applied to one key: the one answer to "over the limit?" for every view."""

    def __init__(self, rule, key):
        self.rule = rule
        self.key = key
        self.counted = None

    def refusal(self):
        """A Refusal if one more event would be over the limit, without counting anything."""
        now = store().peek(self.key, self.rule.window)
        return self._over(now.count, now.window_ends)

    def hit(self):
        """Count one event, or refuse it; a refused event is not counted, so refusals use up no budget.

        Counting and checking are one atomic step of the store, so parallel requests cannot all slip
        in under the limit; one found over the limit is taken back.
        """
        if refusal := self.refusal():
            return refusal
        counted = store().hit(self.key, self.rule.window)
        if refusal := self._over(counted.count - 1, counted.window_ends):
            store().refund(self.key, counted)
            return refusal
        self.counted = counted
        return None

    def refund(self):
        """Take back the event hit() counted (it turned out not to be one the rule is about)."""
        if self.counted is not None:
            store().refund(self.key, self.counted)
            self.counted = None

    def _over(self, before, window_ends):
        if before < self.rule.limit:
            return None
        seconds = seconds_until(window_ends)
        return Refusal(f"{self.rule.refusal} {wait_text(seconds)}", seconds)


class IpLimit:
    """A rule per client IP (`prefix`:ip_key), and for IPv6 also per /48 network (limits.per_ipv6_48).

    Answers like a Limit: refusal(), hit() and refund(); a hit refused by one count is taken back from
    the others, so a refusal uses up no budget.
    """

    def __init__(self, rule, prefix, ip):
        self.limits = [Limit(rule, f"{prefix}:{ip_key(ip)}")]
        if network := ipv6_48(ip):
            self.limits.append(Limit(limits.per_ipv6_48(rule), f"{prefix}:{network}"))

    def refusal(self):
        return next(filter(None, (limit.refusal() for limit in self.limits)), None)

    def hit(self):
        for n, limit in enumerate(self.limits):
            if refusal := limit.hit():
                for counted in self.limits[:n]:
                    counted.refund()
                return refusal
        return None

    def refund(self):
        for limit in self.limits:
            limit.refund()


def over_limit(rule, key):
    """Count one request under `rule` for `key`: None if it may go on, else the Refusal to answer with."""
    return Limit(rule, key).hit()


class LoginAttempt:
    """One try of a customer's password, under FAILED_LOGINS_PER_IP and FAILED_LOGINS_PER_CUSTOMER_IP.

    A try that may not be checked yet (too early, blocked, too many from the network) is refused
    *without* being counted: obeying "Odczekaj N s" then always works, and refusals do not use up the
    budget of an office behind one address. A try that may be checked is counted *before* the
    password is checked, atomically, so parallel tries each see their own count and none slips past
    the limits; one that the count shows to be too early after all is taken back and refused. A try
    that succeeds is taken back too.
    """

    def __init__(self, request, *, region, number, sub_code):
        ip = ip_key(client_ip(request))
        self.per_ip = IpLimit(limits.FAILED_LOGINS_PER_IP, "login-ip", client_ip(request))
        self.code_key = f"login:{region.slug}:{number}-{sub_code}:{ip}"

    def refusal(self):
        """Why this try may not be checked (a Refusal), or None, and then the try is counted."""
        rule = limits.FAILED_LOGINS_PER_CUSTOMER_IP
        before = store().peek(self.code_key, rule.window)
        if refusal := self.per_ip.refusal() or self._code_refusal(before):
            return refusal
        if refusal := self.per_ip.hit():
            return refusal
        counted = store().hit(self.code_key, rule.window)
        if refusal := self._code_refusal(Count(counted.count - 1, counted.previous_at, counted.window_ends)):
            store().refund(self.code_key, counted)
            self.per_ip.refund()
            return refusal
        return None

    def succeeded(self):
        self.per_ip.refund()
        store().reset(self.code_key)

    @staticmethod
    def _code_refusal(failures):
        """`failures`: the failed tries on the code from this address so far, and when the last was."""
        rule = limits.FAILED_LOGINS_PER_CUSTOMER_IP
        if failures.count >= rule.limit:
            seconds = seconds_until(failures.window_ends)
            return Refusal(f"{rule.refusal} {wait_text(seconds)}", seconds)
        wait = limits.delay_after(failures.count)
        if not wait or failures.previous_at is None:
            return None
        remaining = wait - (timezone.now() - failures.previous_at).total_seconds()
        if remaining <= 0:
            return None
        seconds = math.ceil(remaining)
        message = ngettext(
            "Odczekaj %(s)d s przed kolejną próbą.", "Odczekaj %(s)d s przed kolejną próbą.", seconds
        ) % {"s": seconds}
        return Refusal(message, seconds)
