"""``python -m lightnode_aio``: the ``lightnode`` command."""

import sys

from lightnode_aio.cli import main

if __name__ == "__main__":
    sys.exit(main())
