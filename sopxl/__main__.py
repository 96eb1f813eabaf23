"""`python -m sopxl`: the same as the `sopxl` command."""

from sopxl.frontends.cli import main

main()
