"""Calibrating scenarios to observed data: demand histories, observed periods, back-tests."""
