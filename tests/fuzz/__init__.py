"""Bad and edge-case input: every reproducer of issue 20, and Hypothesis over scenarios."""
