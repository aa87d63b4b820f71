"""Settings for the HTTP benchmarks and fault scripts: the production settings plus the bare view's URLs.

The bare view (bench/urls.py) exists only here, never in the product's URLs. Static files are collected
into var/bench/static (the manifest storage, as in production) by bench/http_bench.py before gunicorn
starts.
"""

from ebok.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
STATIC_ROOT = VAR_DIR / "bench" / "static"  # noqa: F405
