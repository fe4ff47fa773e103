"""``python -m aibeian`` is the same as the ``aibeian`` command."""

from aibeian.cli.main import main

if __name__ == "__main__":
    main()
