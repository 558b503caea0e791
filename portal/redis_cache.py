"""Django's Redis cache backend, with one redis-py client per connection pool instead of one per call.

Django's RedisCacheClient builds a new `redis.Redis` for every cache operation, and building one sets
up some 170 response callbacks: about a third of a millisecond, more than a cache read on 127.0.0.1
itself. A client is thread-safe and only borrows connections from its pool, so one per pool is enough.
Everything else (pools, serialisation, replicas) is Django's.
"""
from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        clients = self.__dict__.setdefault("_clients", {})
        client = clients.get(id(pool))
        if client is None:
            client = clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
