"""One click callback for options that take a comma-separated list of names."""

import click


def name_list(valid, all_is_default=False, none=False):
    """A callback turning "a,b" into a list checked against ``valid``; None (the option left
    out) stands for the axis's default. "all" is every valid name, or with ``all_is_default``
    the default (for targets and peers: every one that can run here, the others skipped);
    "none" is allowed only with ``none``."""
    keywords = ("all", "none") if none else ("all",)

    def parse(ctx, param, value):
        if value is None:
            return None
        names = [n.strip().lower() for n in value.split(",") if n.strip()]
        if names == ["all"]:
            return None if all_is_default else list(valid)
        if names == ["none"] and none:
            return []
        unknown = [n for n in names if n not in valid]
        if unknown or not names:
            raise click.BadParameter(f"unknown {param.name[:-1]} "
                                     f"{', '.join(unknown) or '(none)'}: choose from "
                                     f"{', '.join((*valid, *keywords))}")
        return names

    return parse
