"""``shortbot`` under cProfile, timed by the process's CPU clock (so a busy machine does not
inflate it): ``python bench/profiled.py OUT.prof run …`` writes the profile of the main thread
(the event loop: discord.py, the use cases, rendering; aiosqlite's own thread is not in it) to
OUT.prof when the process ends, SIGTERM included. Read it with
``python -c "import pstats; pstats.Stats('OUT.prof').sort_stats('cumtime').print_stats(40)"``.
"""

from __future__ import annotations

import cProfile
import signal
import sys
import time


def main() -> None:
    out = sys.argv.pop(1)
    profile = cProfile.Profile(time.process_time)

    def stop(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    from bot.cli import main as shortbot

    profile.enable()
    try:
        shortbot()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        profile.disable()
        profile.dump_stats(out)


if __name__ == "__main__":
    main()
