"""The bench settings of the "next release" in bench/upgrade_fault.py: one more app, whose second migration fails."""

from bench.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench.upgrade"]  # noqa: F405
