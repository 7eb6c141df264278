"""Pictures of the activations, every value computed by elunumba's kernels.

``curves`` evaluates ELU for several alpha beside ReLU and LeakyReLU (values and derivatives from
the fused kernel), ``figure`` draws them to a PNG, SVG or PDF with matplotlib, ``page`` writes a
self-contained HTML page with an alpha slider over curves precomputed on a grid of alpha, and
``browser`` opens that page in headless Chromium (its test and tools/page_screenshot.py).
"""
