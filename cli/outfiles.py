"""Output paths checked before any work, and JSON written whole, for the commands that write
files."""

import json

import click

from elunumba.lab.files import atomic_output, check_output_path


def checked_path(path, option, suffixes):
    """``path`` as a Path if it can be written with one of ``suffixes``, else a usage error
    (exit 2) naming ``option``; None stays None."""
    if path is None:
        return None
    try:
        return check_output_path(path, suffixes)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint=option) from None


def output_path(suffixes=None):
    """A click callback: the option's path checked like ``checked_path``, when click parses it,
    so that every output is known to be writable before anything is measured."""
    def check(ctx, param, value):
        return checked_path(value, param.get_error_hint(ctx), suffixes)

    return check


def write_json(path, payload):
    with atomic_output(path) as file:
        json.dump(payload, file, indent=2)
        file.write("\n")
