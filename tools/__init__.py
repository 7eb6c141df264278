"""The repository's tools (not installed with the package): run them from the repository root
as modules, ``python -m tools.NAME``. tools/README.md sorts them into gates, regenerators and
investigations."""
