"""The console every command prints its tables on."""

from rich.console import Console

WIDE_OUTPUT = 150


def stdout_console():
    """rich's console on stdout; as wide as the terminal, or WIDE_OUTPUT for a file or pipe
    (the tables fit 80 columns; a wide console keeps long reasons and notes on one line)."""
    console = Console()
    return console if console.is_terminal else Console(width=WIDE_OUTPUT)
