"""The elunumba command line (installed as the package elunumba_cli)."""
