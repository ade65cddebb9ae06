"""Run the command line as ``python -m simline``."""

from simline.cli import main

main()
