"""The Discord side of shortbot: a thin discord.py client, cogs that parse, call a use case
from ``papers`` and render, and one central error handler."""
