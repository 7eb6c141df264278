"""mkdocs hook (mkdocs.yml `hooks:`): links from docs/ to the repository's other files.

The pages link to files outside docs/ (results in bench_results/, the notes, the README) by
relative paths such as ``../bench_results/accuracy/accuracy-report.json``, so that they read as
plain Markdown on the repository. mkdocs checks links only among the files under docs/, and
would report each of these as not found. This hook checks that each such target exists (a
missing one fails the build, strict or not), then copies the file into the site under
``_repo/`` as it is (Markdown too: served as text, not rendered) and points the link there, so
that mkdocs checks and resolves it like any other.
"""

import pathlib
import re

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File

PREFIX = "_repo"
# [text](target) and ![alt](target): the target up to a space, ")" or "#"
LINK = re.compile(r"(!?\[[^\]]*\]\()(\.\./[^)\s#]+)")


class RepositoryFile(File):
    """A repository file copied into the site as it is, Markdown included."""

    def is_documentation_page(self):
        return False


def _targets(markdown, page_dir, docs_dir, root):
    """(link, repository path) for each link in ``markdown`` that leaves docs_dir."""
    for match in LINK.finditer(markdown):
        target = (page_dir / match.group(2)).resolve()
        if docs_dir in target.parents:
            continue
        if root not in target.parents or not target.is_file():
            yield match.group(2), None
        else:
            yield match.group(2), target.relative_to(root)


def _repository_root(config):
    return pathlib.Path(config["config_file_path"]).resolve().parent


def on_files(files, config):
    docs_dir = pathlib.Path(config["docs_dir"]).resolve()
    root = _repository_root(config)
    wanted = set()
    for page in list(files.documentation_pages()):
        source = pathlib.Path(page.abs_src_path)
        for link, path in _targets(source.read_text(), source.parent, docs_dir, root):
            if path is None:
                raise PluginError(f"{page.src_uri}: the link {link} names no file in the "
                                  "repository")
            wanted.add(path)
    for path in sorted(wanted):
        files.append(RepositoryFile.generated(config, f"{PREFIX}/{path.as_posix()}",
                                              abs_src_path=str(root / path)))
    return files


def on_page_markdown(markdown, page, config, files):
    docs_dir = pathlib.Path(config["docs_dir"]).resolve()
    root = _repository_root(config)
    source = pathlib.Path(page.file.abs_src_path)
    up = "../" * page.file.src_uri.count("/")
    for link, path in set(_targets(markdown, source.parent, docs_dir, root)):
        markdown = markdown.replace(f"]({link}", f"]({up}{PREFIX}/{path.as_posix()}")
    return markdown
