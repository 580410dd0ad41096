"""The planner's web app (``pip install "sim111[app]"``, then ``sim111 app``).

A Streamlit app on sim111's public API only: it loads and edits scenarios,
runs them, compares, staffs, prices and sweeps them through the same functions
as the command line, and shows the same headline, tables and charts. No model
logic lives here.
"""
