"""Start a staff pager: `python run_pager.py [--console --staff NAME] [--config FILE] ...`."""

import sys

from staff_pager.main import main

if __name__ == "__main__":
    sys.exit(main())
