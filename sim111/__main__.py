"""``python -m sim111`` is the ``sim111`` command."""

from sim111.cli import main

main()
