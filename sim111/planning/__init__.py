"""Planning questions answered with the model: the cheapest roster that meets
the NHS targets (formula seed, shift covering, simulate and adjust)."""
