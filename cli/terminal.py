"""What every command shares about where its output goes: the console its tables print to, and
the exit code of Ctrl-C."""

from rich.console import Console

EXIT_INTERRUPTED = 130  # as a shell reports a command ended by Ctrl-C (128 + SIGINT)
# off a terminal (a file, a pipe, a CI log) nothing wraps a line: give long reasons and notes
# room to stay on one
WIDE_OUTPUT = 150


def stdout_console(min_width=None):
    """rich's console on stdout: as wide as the terminal (at least ``min_width``, for tables
    that would wrap below it), or WIDE_OUTPUT for a file or pipe."""
    console = Console()
    if not console.is_terminal:
        return Console(width=WIDE_OUTPUT)
    return console if min_width is None else Console(width=max(console.width, min_width))
