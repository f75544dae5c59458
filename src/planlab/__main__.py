"""``python -m planlab`` runs the planlab command."""

from planlab.cli import main

main()
