"""discord.py, imported without the ``audioop`` DeprecationWarning it triggers on Python 3.11-3.12.

``discord.player`` imports the deprecated stdlib ``audioop`` at import time; with
``filterwarnings = error`` that import fails during collection. Import discord.py through here
(or add ``"ignore:'audioop' is deprecated:DeprecationWarning"`` to the pytest configuration).
"""

import warnings

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "'audioop' is deprecated", DeprecationWarning)
    import discord
    from discord.ext import commands
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

__all__ = ["DiscordWebSocket", "Route", "commands", "discord"]
