"""`python -m sopxl.frontends.cli`: the same as the `sopxl` command."""

from sopxl.frontends.cli import main

main()
