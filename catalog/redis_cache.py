"""Django's Redis cache, with one Redis client per connection pool instead of one per call.

Django's client builds a new `redis.Redis` for every cache operation, which costs more Python than
the round trip itself when a request reads the cache a few times (rate limits, kept responses,
search pages). A `redis.Redis` takes its connections from the pool for each command, so one can
serve every call and every thread.

`count_and_read` is the API rate limit's counter: one round trip, and exact under concurrency;
`count_and_read_with` also reads a kept API response in that round trip.
"""

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients = {}
        self._scripts = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def counting_script(self, key: str):
        """`_COUNT_AND_READ` on the client for `key`; redis-py runs it by its hash, sending the
        source again only if the server has forgotten it (after a restart)."""
        client = self.get_client(key, write=True)
        script = self._scripts.get(id(client))
        if script is None:
            script = self._scripts[id(client)] = client.register_script(_COUNT_AND_READ)
        return script


class ReusedClientRedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient


# One command: add one to KEYS[1], start its expiry when it is new, read the counter KEYS[2], and
# read any further KEYS as they are (a missing one as nil).
_COUNT_AND_READ = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
local found = {count, tonumber(redis.call('GET', KEYS[2]) or '0')}
for index = 3, #KEYS do
  found[index] = redis.call('GET', KEYS[index])
end
return found
"""


def count_and_read(counted: str, read: str, *, timeout: int) -> tuple[int, int]:
    """Add one to the counter `counted` (kept `timeout` seconds from its first count) and read the
    counter `read`: one command when the cache is Redis, atomic whatever the concurrency."""
    count, other, _ = count_and_read_with(counted, read, [], timeout=timeout)
    return count, other


def count_and_read_with(
    counted: str, read: str, others: list[str], *, timeout: int
) -> tuple[int, int, dict]:
    """`count_and_read`, and the cache entries `others` (as `cache.get_many` gives them) in the
    same command."""
    backend = caches["default"]
    if isinstance(backend, ReusedClientRedisCache):
        counted_key = backend.make_and_validate_key(counted)
        script = backend._cache.counting_script(counted_key)
        count, other, *values = script(
            keys=[counted_key, backend.make_and_validate_key(read)]
            + [backend.make_and_validate_key(key) for key in others],
            args=[timeout],
        )
        loads = backend._cache._serializer.loads
        found = {
            key: loads(value)
            for key, value in zip(others, values, strict=True)
            if value is not None
        }
        return int(count), int(other), found
    # Process memory (no REDIS_URL): one process, and each call is quick.
    backend.add(counted, 0, timeout=timeout)
    try:
        count = backend.incr(counted)
    except ValueError:  # expired between the two calls
        backend.set(counted, 1, timeout=timeout)
        count = 1
    return count, int(backend.get(read) or 0), backend.get_many(others)
