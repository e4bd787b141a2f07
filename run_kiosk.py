"""Start the entrance kiosk: `python run_kiosk.py [--headless] [--config FILE] ...`."""

import sys

from kiosk.main import main

if __name__ == "__main__":
    sys.exit(main())
