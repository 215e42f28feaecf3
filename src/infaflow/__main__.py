"""``python -m infaflow``: the command line."""

from infaflow.cli import main

if __name__ == "__main__":
    main()
