"""shortbot: the application layer (settings, CLI, Discord cogs, jobs, wiring)."""
