"""Accuracy measurement: ULP errors against more precise references, per input band, over all
float32 inputs, and a gate against thresholds kept in the repository (thresholds.json).
No click or rich here: the command line front end is elunumba_cli.accuracy; the table contents
(fmt) are shared by it and the README generator (readme).
"""
