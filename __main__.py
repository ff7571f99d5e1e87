"""`python -m ratsinfo` runs the CLI."""

from ratsinfo.cli import main

if __name__ == "__main__":
    main()
