"""Markdown for generated results: tables, and the block of a file between two markers."""


def table(headers, rows):
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(lines)


def replace_between(text, markers, body):
    """``text`` with what stands between the two markers replaced by ``body``; ValueError when
    a marker is missing, repeated or the two stand in the wrong order."""
    start, end = markers
    counts = text.count(start), text.count(end)
    if counts != (1, 1) or text.index(start) > text.index(end):
        raise ValueError(f"expected one {start} followed by one {end}; found {counts[0]} and "
                         f"{counts[1]}" + (" in the wrong order" if counts == (1, 1) else ""))
    head, rest = text.split(start)
    _, tail = rest.split(end)
    return f"{head}{start}\n{body}\n{end}{tail}"
