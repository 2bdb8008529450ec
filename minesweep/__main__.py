import sys

from minesweep.cli import main

sys.exit(main())
