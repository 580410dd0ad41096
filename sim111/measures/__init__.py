"""Pure functions of a replication's records: NHS KPIs, interval KPIs, costs,
and the analytic Erlang formulas they are validated against."""
