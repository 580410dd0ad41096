"""``python -m sim111`` is the ``sim111`` command (Ctrl-C included: :mod:`sim111.cli.entry`)."""

from sim111.cli.entry import main

main()
