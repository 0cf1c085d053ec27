"""The production settings plus one bare view, to compare throughputs against."""

from tongban.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
