"""Django's Redis cache, with one Redis client per connection pool instead of one per call.

Django's client builds a new `redis.Redis` for every cache operation, which costs more Python than
the round trip itself when a request reads the cache a few times (rate limits, kept responses,
search pages). A `redis.Redis` takes its connections from the pool for each command, so one can
serve every call and every thread.

`count_and_read` is the API rate limit's counter: one round trip, and exact under concurrency.
"""

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusedClientRedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = ReusedClientRedisCacheClient


def count_and_read(counted: str, read: str, *, timeout: int) -> tuple[int, int]:
    """Add one to the counter `counted` (kept `timeout` seconds after its last count) and read the
    counter `read`: in one round trip when the cache is Redis, whatever the concurrency."""
    backend = caches["default"]
    if isinstance(backend, ReusedClientRedisCache):
        counted_key = backend.make_and_validate_key(counted)
        read_key = backend.make_and_validate_key(read)
        pipeline = backend._cache.get_client(counted_key, write=True).pipeline(transaction=False)
        pipeline.incr(counted_key)
        pipeline.expire(counted_key, timeout)
        pipeline.get(read_key)
        count, _, other = pipeline.execute()
        return count, int(other or 0)
    # Process memory (no REDIS_URL): one process, and each call is quick.
    backend.add(counted, 0, timeout=timeout)
    try:
        count = backend.incr(counted)
    except ValueError:  # expired between the two calls
        backend.set(counted, 1, timeout=timeout)
        count = 1
    return count, int(backend.get(read) or 0)
