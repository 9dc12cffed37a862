"""``python -m demo [RAW_DIR]``: write the demo drop folder (default: demo/raw)."""

import sys
from pathlib import Path

from demo import generate_all
from warehouse.settings import DEMO_RAW_DIR

raw_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else DEMO_RAW_DIR
generate_all(raw_dir)
print(f"Données de démonstration écrites dans {raw_dir}")
