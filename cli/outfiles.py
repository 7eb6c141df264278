"""Output paths checked before any work, files read as options, and outputs written whole, for
the commands that read and write files.

Every option or argument naming an output uses ``callback=output_path(...)``, and every one
naming a file to read uses ``type=InputFile(kind)``: click checks them while it parses, so a
path that cannot be written (or read) is a usage error (exit 2) before anything is measured,
and two of them naming one file are refused (the second write would replace the first, or the
file read). tests/cli/test_hostile_inputs.py finds them by these markers in every command.
"""

import click

from elunumba.lab import files

# where the file parameters parsed so far keep their paths (an input's callback may turn its
# path into what it read, so ctx.params does not have them)
SEEN_PATHS = "elunumba: file paths parsed"


class OutputPath:
    """A click callback: the option's path checked by files.check_output_path (``suffixes``,
    ``rewrite``), and against the other file options parsed before it."""

    def __init__(self, suffixes=None, rewrite=False):
        self.suffixes, self.rewrite = suffixes, rewrite

    def __call__(self, ctx, param, value):
        if value is None:
            return None
        try:
            path = files.check_output_path(value, self.suffixes, self.rewrite)
        except files.OutputPathError as error:
            raise click.BadParameter(str(error), ctx, param) from None
        refuse_shared_paths(ctx, param, [path])
        return path


def output_path(suffixes=None, rewrite=False):
    return OutputPath(suffixes, rewrite)


class InputFile(click.Path):
    """A file to read, of one ``kind`` ("bench results", "thresholds"): an existing file, never
    one an output of the same command names."""

    def __init__(self, kind, exists=True):
        super().__init__(exists=exists, dir_okay=False)
        self.kind = kind

    def convert(self, value, param, ctx):
        path = super().convert(value, param, ctx)
        if ctx is not None:
            refuse_shared_paths(ctx, param, [*ctx.meta.get(SEEN_PATHS, {}).get(param, ()), path])
        return path


def file_parameters(command):
    """The command's parameters that name files: (outputs, inputs)."""
    outputs = [p for p in command.params if isinstance(p.callback, OutputPath)]
    inputs = [p for p in command.params if isinstance(p.type, InputFile)]
    return outputs, inputs


def refuse_shared_paths(ctx, param, paths):
    """A usage error when one of ``paths`` (given to ``param``) names a file that an output
    parsed before it names, or, for an output, a file another parameter reads or writes; else
    ``paths`` are recorded for the parameters parsed after."""
    outputs, _ = file_parameters(ctx.command)
    seen = ctx.meta.setdefault(SEEN_PATHS, {})
    for other, theirs in seen.items():
        if other is param or not (param in outputs or other in outputs):
            continue  # two inputs may well be one file (bench compare A A)
        for ours in paths:
            if any(files.same_output(ours, path) for path in theirs):
                raise click.BadParameter(
                    f"{ours} is also given to {other.get_error_hint(ctx)}: " + (
                        "one file cannot take both (the second write would replace the first)"
                        if param in outputs and other in outputs else
                        "writing it would replace the file read"), ctx, param)
    seen[param] = list(paths)


def write_output(path, write, done=None):
    """``write(path)``, then ``done`` (default "wrote PATH") on stderr, where every command's
    messages go, so that stdout holds only the results. An OSError (a full disk, /dev/full, a
    FIFO's reader gone) becomes a one-line error (exit 1): the work was done, and its file
    could not be written."""
    try:
        write(path)
    except (OSError, files.OutputPathError) as error:
        reason = getattr(error, "strerror", None) or error
        raise click.ClickException(f"cannot write {path}: {reason}") from None
    click.echo(done or f"wrote {path}", err=True)


def write_json(path, payload, indent=2):
    write_output(path, lambda out: files.write_json(out, payload, indent=indent))


def write_text(path, text, done=None):
    def write(out):
        with files.atomic_output(out) as file:
            file.write(text)

    write_output(path, write, done)
