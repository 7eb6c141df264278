"""A small NumPy multilayer perceptron trained with elunumba's kernels as its activations.

``data`` makes the two-spirals task, ``network`` the perceptron (forward and backward by hand,
optional LayerNorm), ``experiment`` trains it with several activations and seeds and measures
loss, accuracy, dead units and mean activations, ``figure`` draws the results.
"""
