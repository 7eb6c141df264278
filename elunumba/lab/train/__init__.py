"""The training experiments behind `elunumba train`, measuring what is claimed of ELU (Clevert et
al. 2015) and SELU (Klambauer et al. 2017): convergence against ReLU, dying units, the mean
activation, SELU's self-normalisation and LayerNorm's effect on all of it.

``spirals`` trains a NumPy perceptron (``network``: forward and backward by hand on elunumba's
kernels, optional LayerNorm, two initialisations) on two spirals (``data``); ``digits`` trains a
common ELU tutorial's ConvNetELU (``convnet``) on scikit-learn's digits in PyTorch with
elunumba.torch's and torch's activations; both train until a target test accuracy or a cap
(``convergence``). ``depth`` measures deep networks at initialisation against the prediction
from ``elunumba.stats``.
``runner`` runs them one thread each, ``summary`` and ``statistics`` turn the runs into medians,
intervals and paired tests, ``results`` is the result file, ``readme`` and ``figure`` its tables
and figure.
"""
