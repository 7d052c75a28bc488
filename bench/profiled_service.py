"""uvicorn under cProfile switched by signals, for `bench.command_profile --cprofile`.

    python -m bench.profiled_service <uvicorn arguments>   # instead of `python -m uvicorn ...`

SIGUSR1 starts profiling (clock: `time.process_time`, so the figures are this process's CPU
time, whatever else the machine runs), SIGUSR2 stops it and writes the statistics to the file
named by `UPONYAJI_PROFILE_OUT` (pstats format). One worker process only: the signals reach the
process that serves.
"""

from __future__ import annotations

import cProfile
import os
import signal
import sys
import time
from types import FrameType

import uvicorn.main

_profile: cProfile.Profile | None = None


def _start(signum: int, frame: FrameType | None) -> None:
    global _profile
    _profile = cProfile.Profile(time.process_time)
    _profile.enable()


def _stop(signum: int, frame: FrameType | None) -> None:
    global _profile
    if _profile is None:
        return
    _profile.disable()
    _profile.dump_stats(os.environ["UPONYAJI_PROFILE_OUT"])
    _profile = None


def main() -> None:
    """Install the signal handlers and run uvicorn's command line."""
    signal.signal(signal.SIGUSR1, _start)
    signal.signal(signal.SIGUSR2, _stop)
    sys.argv[0] = "uvicorn"
    uvicorn.main.main()


if __name__ == "__main__":
    main()
