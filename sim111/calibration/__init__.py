"""Calibrating scenarios to observed data: demand histories, observed KPIs, back-tests."""
