"""Settings for make cluster-test (bench/cluster.py): the benchmarks' (production's, plus /bench/trivial/)
with shorter recovery times, so a node or worker killed under load recovers within the run, and the
run's own Redis keys. Everything else comes from the environment the driver states."""

import os

from bench.settings import *  # noqa: F403
from bench.settings import CELERY_BROKER_TRANSPORT_OPTIONS

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    # A killed worker's unacknowledged batch goes back to the queue after this (production: an hour).
    "visibility_timeout": 8,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
    # Queues and kombu's bookkeeping under the run's own prefix: nothing else on this Redis database
    # (an earlier run's leftovers, another load test's tasks) reaches these workers.
    "global_keyprefix": os.environ["PORTAL_CLUSTER_PREFIX"],
}
# A reminder claimed by a worker that died is handed to another after this (production: 10 and 15 min).
NOTIFICATIONS_CLAIM_LEASE_SECONDS = 5
NOTIFICATIONS_REQUEUE_AFTER_SECONDS = 5
NOTIFICATIONS_BATCH_SIZE = 10
# The file backend (the run counts what it wrote), slowed like a remote SMTP server so that a worker
# killed mid-run is killed mid-batch.
EMAIL_BACKEND = "tests.integration.slow_mail.SlowFileBackend"
