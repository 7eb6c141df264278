"""ELU as one writes it without elunumba: one definition of each formula, shared by the tools that
compare elunumba with them (the benchmark's peers in elunumba.lab.bench.impls and the accuracy
report's variants in elunumba.lab.accuracy.variants).

The array formulas take the array module ``xp`` (NumPy, or CuPy on a GPU); a Python float alpha
keeps float32 and float16 arrays in their dtype (NumPy 2's promotion rules). The gradient is
taken from the output y, as a framework's backward pass does, or from the input x.
"""


def naive_forward(xp, x, alpha):
    """alpha*(exp(x) - 1): cancels catastrophically near 0."""
    return xp.where(x > 0, x, alpha * (xp.exp(x) - 1))


def expm1_forward(xp, x, alpha):
    return xp.where(x > 0, x, alpha * xp.expm1(x))


def slope_from_output(xp, y, alpha, scale=1):
    """dy/dx from y = scale*elu(x, alpha): scale where y > 0, else y + alpha*scale."""
    return xp.where(y > 0, scale, y + alpha * scale)


def slope_from_input(xp, x, alpha, scale=1):
    """dy/dx from x: scale where x > 0, else scale*alpha*exp(x) (PyTorch's non-result path)."""
    return xp.where(x > 0, scale, (alpha * scale) * xp.exp(x))


def backward_from_output(xp, grad_out, y, alpha):
    return xp.where(y > 0, grad_out, grad_out * (y + alpha))


# the same formulas for numexpr.evaluate (it names alpha and one in its local_dict)
NUMEXPR = {"forward": "where(x > 0, x, alpha*expm1(x))",
           "backward": "where(y > 0, grad_out, grad_out*(y + alpha))",
           "grad": "where(x > 0, one, alpha*exp(x))",
           "slope": "where(x > 0, one, y + alpha)"}
