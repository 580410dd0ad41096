"""Estimating scenario inputs from observed data (demand histories and, later, more)."""
