"""`python -m sopxl.cli`: the same as the `sopxl` command."""

from sopxl.cli import main

main()
