"""`python -m lib ...`: Tandem's command line (see lib/cli.py)."""
import sys

from lib.cli import main

sys.exit(main())
