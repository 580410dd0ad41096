"""The app's pages, one module each, each with a ``render()`` Streamlit calls.

Not named ``pages``: Streamlit would take a ``pages/`` folder beside the entry
script for pages of its own and open a blank one at ``/staff``.
"""
