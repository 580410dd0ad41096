"""The app's pages, one module each, each with a ``render()`` Streamlit calls."""
