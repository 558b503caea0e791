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
# A message claimed by a worker that died is handed to another after the lease (production: 10 and
# 15 min). The outbox's bounds still nest as its start-up check demands: batch + SMTP timeout < soft
# limit < hard limit < lease.
NOTIFICATIONS_CLAIM_LEASE_SECONDS = 10
NOTIFICATIONS_REQUEUE_AFTER_SECONDS = 10
NOTIFICATIONS_BATCH_SECONDS = 2
EMAIL_TIMEOUT = 2
NOTIFICATIONS_DELIVER_SOFT_TIME_LIMIT = 6
NOTIFICATIONS_DELIVER_TIME_LIMIT = 8
NOTIFICATIONS_BATCH_SIZE = 10
# The file backend (the run counts what it wrote), slowed like a remote SMTP server so that a worker
# killed mid-run is killed mid-batch.
EMAIL_BACKEND = "tests.integration.slow_mail.SlowFileBackend"
