"""Measurement and experiments, for the CLI and the tools: the benchmark (bench), accuracy runs
and the accuracy gate (accuracy), ELU's curves and statistics page (plot), the training
experiment (train), the record of the machine a figure was measured on (machine), output files
written whole or not at all (files), markdown tables (markdown), the memory a run may use
(memory) and the peers' formulas (peer_formulas). Nothing in the kernels, the dispatch layer or
the public functions imports this package.
"""
