"""gunicorn settings of the eBOK web process (deploy/systemd/ebok-web.service runs `gunicorn -c` with this file).

nginx (deploy/nginx/ebok.conf) is in front: it terminates TLS, buffers slow clients and request bodies (case
attachments arrive whole), serves the static files and answers 503 with the maintenance page when gunicorn is
down. gunicorn listens on loopback only. Each value can be changed in /etc/ebok/ebok.env (GUNICORN_*).
"""

import multiprocessing
import os

wsgi_app = "ebok.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")

# Sync workers: a page is a few database queries; the slow requests (a PDF rendered on first download, a
# statement) are CPU work that threads would not speed up. Two per core plus one keeps the cores busy while
# some workers wait on PostgreSQL; each worker holds one database connection (CONN_MAX_AGE), so
# workers x machines must stay under PostgreSQL's max_connections (100 by default) with room for the
# db_worker, the timers and psql.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A statement PDF of many years takes a few seconds; a request still running after a minute is stuck: the
# worker is killed and replaced (nginx's proxy_read_timeout is the same minute).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5  # nginx keeps its upstream connections open
# WeasyPrint keeps fonts and caches per process: a worker is replaced after ~1000 requests, so that memory
# cannot creep; the jitter keeps the workers from restarting together.
max_requests = 1000
max_requests_jitter = 100
# The heartbeat files on tmpfs: a worker blocked on a full or slow disk is not taken for a dead one.
worker_tmp_dir = "/dev/shm"  # noqa: S108 - gunicorn's documented choice, a RAM disk on Debian

# Requests come only from nginx on this machine: trust its X-Forwarded-Proto (Django reads it too,
# BEHIND_PROXY=1). The client's address is read by accounts/throttle.py client_ip (TRUSTED_PROXIES=1).
forwarded_allow_ips = "127.0.0.1,::1"
# Request headers: nginx limits them first; these are gunicorn's own defaults, written down.
limit_request_line = 4094
limit_request_fields = 100

# Django logs each request (ops: one structured line); gunicorn's own access log would say it twice.
accesslog = None
errorlog = "-"  # to stderr: journald keeps it (journalctl -u ebok-web)
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
capture_output = True
proc_name = "ebok-web"
# gunicorn 25+ opens a control socket under $HOME by default, one path for every instance on the machine and
# outside the unit's writable paths: systemd (systemctl reload/restart) is how eBOK's processes are managed.
control_socket_disable = True
# Code is loaded in each worker, not in the master: `systemctl reload ebok-web` (HUP) starts workers on the
# new code after an upgrade without dropping a request.
preload_app = False
