"""Imported by the process pool's fork server (multiprocessing's forkserver preload, see
flows.runs.start_method): loads everything a worker needs, once, so that every worker forked
from the server starts warm and shares those pages with it."""
import gc

from .runs import warm_up

warm_up()
gc.freeze()   # the server's objects stay out of the workers' collections: their pages stay shared
